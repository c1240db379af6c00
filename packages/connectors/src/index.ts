export { itemsCsvColumns, maxCsvRows, parseItemsCsv } from "./csv-import";
export {
  type DiscourseWebhookResult,
  firstPostAlias,
  mapDiscourseWebhook,
  verifyDiscourseSignature,
} from "./discourse";
export {
  type GenericSignatureCheck,
  maxBatchItems,
  maxTimestampSkewSeconds,
  parseGenericBatch,
  signGenericPayload,
  verifyGenericSignature,
} from "./generic-ingest";
export type { SignatureCheck } from "./hmac-signature";
export {
  earliestItemTime,
  type InboundItem,
  type InboundItemInput,
  type ItemKind,
  type ItemOp,
  inboundItem,
  inboundItemEvent,
  itemKinds,
  itemOps,
  itemTimeProblem,
  maxBodyLength,
  maxItemTimeAheadMs,
  type NormalizedItemEvent,
} from "./inbound-item";
export {
  answerMetaVerification,
  type InstagramMention,
  type MetaVerificationAnswer,
  type MetaWebhookMapping,
  mapMetaWebhook,
  maxMetaChanges,
  type SkippedChange,
  verifyMetaSignature,
} from "./meta";
export { fetchInstagramMention, type InstagramMentionResult } from "./meta-mentions";
export * from "./outbound";
