export type { Context, Services } from "./context";
export { type AppRouter, appRouter, type RouterInputs, type RouterOutputs } from "./root";
export { appErrorOf, createCallerFactory } from "./trpc";
