import { describe, expect, it } from "vitest";
import { type Span, splitByFacts } from "./report-rows";

const day = 864e5;
const span = (from: number, to: number): Span => ({ from: from * day, to: to * day });

describe("splitByFacts", () => {
  it.each<{ name: string; window: Span; facts: Span[]; live: Span[]; within: Span[] }>([
    { name: "no facts: all live", window: span(0, 31), facts: [], live: [span(0, 31)], within: [] },
    {
      name: "facts over the whole window and beyond",
      window: span(0, 31),
      facts: [span(-10, 40)],
      live: [],
      within: [span(0, 31)],
    },
    {
      name: "the last days not yet settled",
      window: span(0, 31),
      facts: [span(-3, 29)],
      live: [span(29, 31)],
      within: [span(0, 29)],
    },
    {
      name: "a stale day between two spans, and facts outside the window ignored",
      window: span(0, 31),
      facts: [span(-40, -35), span(0, 12), span(13, 29), span(40, 41)],
      live: [span(12, 13), span(29, 31)],
      within: [span(0, 12), span(13, 29)],
    },
    {
      name: "since ever (the backlog): the history before the first fact day is live",
      window: { from: Number.NEGATIVE_INFINITY, to: 31 * day },
      facts: [span(5, 31)],
      live: [{ from: Number.NEGATIVE_INFINITY, to: 5 * day }],
      within: [span(5, 31)],
    },
  ])("$name", ({ window, facts, live, within }) => {
    expect(splitByFacts(window, facts)).toEqual({ live, facts: within });
  });
});
