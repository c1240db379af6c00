export * from "./agencies";
export * from "./audit";
export * from "./auth";
export * from "./billing";
export * from "./clients";
export { appRole, uuidv7 } from "./columns";
export * from "./moderation";
export * from "./replies";
export * from "./sla";
