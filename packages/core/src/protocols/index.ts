export * from "./check-reply";
export * from "./classify-item";
export * from "./detect-language";
export * from "./find-personal-data";
export * from "./mask-personal-data";
export * from "./protocol-diff";
export * from "./protocol-document";
export * from "./protocol-versions";
