import { InngestTestEngine } from "@inngest/test";
import type { DueTopicDigest } from "@parley/core/reports";
import { describe, expect, it } from "vitest";
import { createInngestClient } from "./client";
import { at } from "./testing/fixtures";
import {
  createTopicDigestsFunction,
  TOPIC_DIGESTS_CRON,
  TOPIC_DIGESTS_FUNCTION_ID,
  type TopicDigestRuns,
} from "./topic-digests.function";

const cronEvent = { name: "inngest/scheduled.timer", data: { cron: TOPIC_DIGESTS_CRON } };

function recordingRuns(due: DueTopicDigest[]) {
  const calls = { find: [] as string[], send: [] as Array<DueTopicDigest & { now: string }> };
  const runs: TopicDigestRuns = {
    async findDueTopicDigests({ now }) {
      calls.find.push(now.toISOString());
      return due;
    },
    async sendTopicDigest(input) {
      calls.send.push({ ...input, now: input.now.toISOString() });
      return { ...input, status: input.clientId === "again" ? "already_sent" : "sent", topics: [], recipients: 2 };
    },
  };
  return { runs, calls };
}

describe("weekly topic digests function (Inngest, @inngest/test)", () => {
  it("wakes hourly and leaves the choice of clients to core", () => {
    const fn = createTopicDigestsFunction({
      inngest: createInngestClient({ isDev: true }),
      runs: recordingRuns([]).runs,
    });
    expect(fn.id()).toBe(TOPIC_DIGESTS_FUNCTION_ID);
    expect(TOPIC_DIGESTS_CRON).toBe("TZ=UTC 30 * * * *");
  });

  it("finds the due clients once, then sends each digest in its own step as of that instant", async () => {
    const due = [
      { agencyId: "agency", clientId: "london", weekStart: "2026-11-23" },
      { agencyId: "agency", clientId: "again", weekStart: "2026-11-23" },
    ];
    const { runs, calls } = recordingRuns(due);
    const fn = createTopicDigestsFunction({
      inngest: createInngestClient({ isDev: true }),
      runs,
      now: () => at("2026-11-30T06:30:00Z"),
    });
    const { result, ctx } = await new InngestTestEngine({ function: fn }).execute({ events: [cronEvent] });
    expect(calls.find).toEqual(["2026-11-30T06:30:00.000Z"]);
    expect(calls.send.map((call) => [call.clientId, call.now])).toEqual([
      ["london", "2026-11-30T06:30:00.000Z"],
      ["again", "2026-11-30T06:30:00.000Z"],
    ]);
    expect(ctx.step.run.mock.calls.map(([id]) => id)).toEqual([
      "find-due-digests",
      "send-digest-london-2026-11-23",
      "send-digest-again-2026-11-23",
    ]);
    expect(result).toEqual([
      { clientId: "london", weekStart: "2026-11-23", status: "sent", topics: 0, recipients: 2 },
      { clientId: "again", weekStart: "2026-11-23", status: "already_sent", topics: 0, recipients: 2 },
    ]);
  });
});
