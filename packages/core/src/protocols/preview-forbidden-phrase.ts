import { uuid } from "@parley/contracts";
import { type Executor, schema } from "@parley/db";
import { and, desc, eq, isNotNull } from "drizzle-orm";
import { z } from "zod";
import { getClient } from "../agencies/clients";
import type { Scope } from "../kernel/scope";
import { compileForbiddenPhrase } from "./forbidden-phrase-matcher";
import { normaliseForMatching } from "./normalise-text";

const { replies } = schema;

export const previewPhraseInput = z.object({
  clientId: uuid,
  phrase: z
    .string()
    .trim()
    .min(1, { error: "phrase is required" })
    .max(200, { error: "phrase must be at most 200 characters" }),
  sample: z.string().max(2000, { error: "sample must be at most 2000 characters" }).default(""),
});
export type PreviewPhraseInput = z.input<typeof previewPhraseInput>;

/** How many of the client's most recent sent replies a preview reads. */
export const previewRepliesChecked = 300;
const previewMatchesShown = 5;

export interface PhrasePreview {
  /** Whether the sample would be blocked by the phrase; null without a sample. */
  sampleMatches: boolean | null;
  /** How many recent sent replies were read, and how many the phrase would have blocked. */
  checked: number;
  matched: number;
  /** The newest of those, to show what the phrase catches in the client's own words. */
  examples: Array<{ replyId: string; text: string; sentAt: Date }>;
}

/**
 * What a forbidden phrase would match, with the same matcher the reply check uses (normalised text, word forms,
 * an article between words): a sample sentence, and the client's recent sent replies.
 */
export async function previewForbiddenPhrase(
  scope: Scope,
  tx: Executor,
  input: PreviewPhraseInput,
): Promise<PhrasePreview> {
  const { clientId, phrase, sample } = previewPhraseInput.parse(input);
  const client = await getClient(scope, tx, clientId);
  const matcher = compileForbiddenPhrase(phrase);
  const recent = await tx
    .select({ id: replies.id, body: replies.body, sentAt: replies.sentAt })
    .from(replies)
    .where(and(eq(replies.agencyId, scope.agencyId), eq(replies.clientId, client.id), isNotNull(replies.sentAt)))
    .orderBy(desc(replies.sentAt))
    .limit(previewRepliesChecked);
  const hits = recent.filter((reply) => matcher.test(normaliseForMatching(reply.body)));
  return {
    sampleMatches: sample.trim() ? matcher.test(normaliseForMatching(sample)) : null,
    checked: recent.length,
    matched: hits.length,
    examples: hits
      .slice(0, previewMatchesShown)
      .map((reply) => ({ replyId: reply.id, text: reply.body, sentAt: reply.sentAt ?? new Date(0) })),
  };
}
