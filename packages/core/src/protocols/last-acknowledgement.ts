import { type Executor, schema } from "@parley/db";
import { and, desc, eq } from "drizzle-orm";

const { replies } = schema;

/**
 * The text of the latest acknowledgement on a channel (null when none): the next one posted there picks another
 * template (`pickAcknowledgement`), so two customers in a row never read the same words.
 */
export async function lastAcknowledgementOn(
  tx: Executor,
  { agencyId, channelId }: { agencyId: string; channelId: string },
): Promise<string | null> {
  const [last] = await tx
    .select({ body: replies.body })
    .from(replies)
    .where(and(eq(replies.agencyId, agencyId), eq(replies.channelId, channelId), eq(replies.kind, "acknowledgement")))
    .orderBy(desc(replies.createdAt))
    .limit(1);
  return last?.body ?? null;
}
