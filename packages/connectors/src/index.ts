export { itemsCsvColumns, maxCsvRows, parseItemsCsv } from "./csv-import";
export { type DiscourseWebhookResult, mapDiscourseWebhook, verifyDiscourseSignature } from "./discourse";
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
  type InboundItem,
  type InboundItemInput,
  type ItemKind,
  type ItemOp,
  inboundItem,
  inboundItemEvent,
  itemKinds,
  itemOps,
  maxBodyLength,
  type NormalizedItemEvent,
} from "./inbound-item";
export {
  answerMetaVerification,
  type InstagramMention,
  type MetaVerificationAnswer,
  type MetaWebhookMapping,
  mapMetaWebhook,
  type SkippedChange,
  verifyMetaSignature,
} from "./meta";
export { fetchInstagramMention } from "./meta-mentions";
export * from "./outbound";
