/**
 * The sandbox platform: Parley's own test platform for the demo and for trying Parley without credentials — its
 * endpoint carries out sandbox channels' deliveries, and its public page shows what customers see.
 */
export * from "./sandbox-platform";
export * from "./sandbox-settings";
