import { describe, expect, it } from "vitest";
import { formatDateTime } from "../../format";
import { spikeBanner } from "./volume-spikes";

const startedAt = new Date("2026-12-07T06:02:00Z");
const client = (clientName: string, ratePerHour: number, usualPerHour: number) => ({
  clientId: `id-${clientName}`,
  clientName,
  spike: { id: `spike-${clientName}`, startedAt, ratePerHour, usualPerHour },
});

describe("spikeBanner", () => {
  it("says nothing without a spike", () => {
    expect(spikeBanner([])).toBeNull();
  });

  it("puts one spike in a sentence, rates rounded, with thousands separated", () => {
    expect(spikeBanner([client("Hexfall Games", 63_380.4, 2.6)])).toEqual({
      title: "Spike on Hexfall Games",
      detail: `63,380 items an hour since ${formatDateTime(startedAt)}, where 3 an hour is usual at this time.`,
    });
  });

  it("puts several spikes in one banner, a clause per client in the order given", () => {
    expect(spikeBanner([client("Brightmart", 980, 2), client("Hexfall Games", 63_380, 3)])).toEqual({
      title: "Spikes on 2 clients",
      detail:
        `Brightmart, 980 items an hour (2 usual) since ${formatDateTime(startedAt)}; ` +
        `Hexfall Games, 63,380 items an hour (3 usual) since ${formatDateTime(startedAt)}.`,
    });
  });
});
