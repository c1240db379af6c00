import { type Clock, systemClock } from "@parley/core/kernel";
import type { DueTopicDigest, TopicDigestOutcome } from "@parley/core/reports";
import type { ParleyInngest } from "./client";

export const TOPIC_DIGESTS_FUNCTION_ID = "weekly-topic-digests";

/**
 * Every hour, on the half hour (UTC): clients live in many zones, so the cron only wakes the run and core decides
 * whose Monday 06:00 has come (`findDueTopicDigests`), the same decision the embedded scheduler takes.
 */
export const TOPIC_DIGESTS_CRON = "TZ=UTC 30 * * * *";

/** The two steps of a run, bound to the database and the notifier by apps/api (core's functions of the same names). */
export interface TopicDigestRuns {
  findDueTopicDigests(input: { now: Date }): Promise<DueTopicDigest[]>;
  sendTopicDigest(input: DueTopicDigest & { now: Date }): Promise<TopicDigestOutcome>;
}

export interface CreateTopicDigestsFunctionOptions {
  inngest: ParleyInngest;
  runs: TopicDigestRuns;
  now?: Clock;
}

/** What a run reports per client (the step output stays small: no topics). */
export interface TopicDigestSummary {
  clientId: string;
  weekStart: string;
  status: TopicDigestOutcome["status"];
  topics: number;
  recipients: number;
}

/**
 * Each client's weekly digest of rising topics, once its Monday 06:00 has come in its own zone. One step finds the
 * due clients (memoized with the instant it read, so a replay decides the same), then one step per client and week
 * sends the digest — a failing client is retried alone. Idempotent end to end: core writes one digest per client and
 * week (a unique row, in the transaction that notifies), so retries, an overlapping embedded scheduler and reruns
 * never send a second; a run still going when the next hour fires makes that one skip (`singleton`).
 */
export function createTopicDigestsFunction({ inngest, runs, now = systemClock }: CreateTopicDigestsFunctionOptions) {
  return inngest.createFunction(
    {
      id: TOPIC_DIGESTS_FUNCTION_ID,
      name: "Weekly topic digests",
      triggers: [{ cron: TOPIC_DIGESTS_CRON }],
      singleton: { mode: "skip" },
    },
    async ({ step }) => {
      const { at, due } = await step.run("find-due-digests", async () => {
        const instant = now();
        return { at: instant.toISOString(), due: await runs.findDueTopicDigests({ now: instant }) };
      });
      const results: TopicDigestSummary[] = [];
      for (const digest of due) {
        results.push(
          await step.run(`send-digest-${digest.clientId}-${digest.weekStart}`, async () => {
            const outcome = await runs.sendTopicDigest({ ...digest, now: new Date(at) });
            return {
              clientId: outcome.clientId,
              weekStart: outcome.weekStart,
              status: outcome.status,
              topics: outcome.topics.length,
              recipients: outcome.recipients,
            };
          }),
        );
      }
      return results;
    },
  );
}
