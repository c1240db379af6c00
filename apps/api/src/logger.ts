import { type DestinationStream, type Logger, pino } from "pino";
import type { Env } from "./env";

export type { Logger };

/** For tests and tools that want no log. */
export const silentLogger: Logger = pino({ level: "silent" });

interface ErrorFields {
  type: string;
  message: string;
  code?: string;
  constraint?: string;
  table?: string;
  stack?: string;
  cause?: ErrorFields;
}

/**
 * An error as the log shows it: type, message, PostgreSQL's code, stack and causes — without what could carry
 * a customer's text or a secret. Drizzle puts a failed query's parameters into its message (and into `params`),
 * so only the statement is kept; PostgreSQL's `detail` (the offending values) is left out.
 */
export function describeError(error: unknown, depth = 0): ErrorFields {
  if (!(error instanceof Error)) return { type: typeof error, message: String(error) };
  const fields = error as Error & { query?: unknown; params?: unknown; code?: unknown };
  const message =
    typeof fields.query === "string" && "params" in fields ? `Failed query: ${fields.query}` : error.message;
  const frames = (error.stack ?? "").split("\n").filter((line) => /^\s+at /.test(line));
  const postgres = error as { constraint_name?: unknown; table_name?: unknown };
  // Drizzle's errors leave `name` as "Error": their class says more.
  const type = error.name === "Error" && error.constructor.name ? error.constructor.name : error.name;
  return {
    type,
    message,
    ...(typeof fields.code === "string" ? { code: fields.code } : {}),
    ...(typeof postgres.constraint_name === "string" ? { constraint: postgres.constraint_name } : {}),
    ...(typeof postgres.table_name === "string" ? { table: postgres.table_name } : {}),
    ...(frames.length > 0 ? { stack: [`${type}: ${message}`, ...frames].join("\n") } : {}),
    ...(error.cause !== undefined && depth < 3 ? { cause: describeError(error.cause, depth + 1) } : {}),
  };
}

/** JSON lines, as production writes them (ISO time, `err` through `describeError`): to stdout, or to `destination`. */
export function createJsonLogger(level: Env["LOG_LEVEL"], destination?: DestinationStream): Logger {
  const options = { level, timestamp: pino.stdTimeFunctions.isoTime, serializers: { err: describeError } };
  return destination ? pino(options, destination) : pino(options);
}

/** Errors only: what an app or a worker logs to when its caller gave it no logger. */
export const fallbackLogger: Logger = createJsonLogger("error");

/**
 * The process's logger: JSON lines on stdout in production (one object per line, ISO time, `err` through
 * `describeError`), one readable line per entry otherwise (pino-pretty, a development dependency).
 */
export async function createLogger(env: Pick<Env, "LOG_LEVEL" | "NODE_ENV">): Promise<Logger> {
  if (env.NODE_ENV === "production") return createJsonLogger(env.LOG_LEVEL);
  try {
    const { default: pretty } = await import("pino-pretty");
    return createJsonLogger(
      env.LOG_LEVEL,
      pretty({
        sync: true,
        singleLine: true,
        ignore: "pid,hostname,method,route,status,durationMs",
        translateTime: "SYS:HH:MM:ss.l",
      }),
    );
  } catch {
    return createJsonLogger(env.LOG_LEVEL); // installed without development dependencies: JSON it is
  }
}
