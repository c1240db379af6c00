export type { Context, Services } from "./context";
export { type AppRouter, appRouter } from "./root";
export { appErrorOf, createCallerFactory } from "./trpc";
