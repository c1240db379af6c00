import type { AppErrorCode } from "@parley/contracts";
import { TRPCClientError } from "@trpc/client";

/** Every failure the UI shows, whatever transport it came from. */
export interface UiError {
  code: AppErrorCode | "NETWORK" | "UNKNOWN";
  message: string;
  /** Field path (dotted, as the server sends it) -> message. */
  fields: Record<string, string>;
  reason?: string;
  /** Seconds, from a 429's Retry-After header. */
  retryAfterSeconds?: number;
}

/** Thrown by the plain-fetch helpers in api.ts. */
export class ApiError extends Error {
  readonly info: UiError;
  constructor(info: UiError) {
    super(info.message);
    this.name = "ApiError";
    this.info = info;
  }
}

const networkMessage = "Can't reach Parley. Check your connection and try again.";
const unknownMessage = "Something went wrong. Please try again.";

function isRecord(value: unknown): value is Record<string, unknown> {
  return typeof value === "object" && value !== null;
}

function stringRecord(value: unknown): Record<string, string> {
  const out: Record<string, string> = {};
  if (!isRecord(value)) return out;
  for (const [key, message] of Object.entries(value)) {
    if (typeof message === "string") out[key] = message;
  }
  return out;
}

const trpcCodes: Record<string, AppErrorCode> = {
  BAD_REQUEST: "BAD_INPUT",
  PARSE_ERROR: "BAD_INPUT",
  UNAUTHORIZED: "UNAUTHENTICATED",
  FORBIDDEN: "FORBIDDEN",
  NOT_FOUND: "NOT_FOUND",
  CONFLICT: "CONFLICT",
  PRECONDITION_FAILED: "INVALID_STATE",
  TOO_MANY_REQUESTS: "LIMIT_EXCEEDED",
  INTERNAL_SERVER_ERROR: "INTERNAL",
};

export function codeFromStatus(status: number): UiError["code"] {
  if (status === 400 || status === 422) return "BAD_INPUT";
  if (status === 401) return "UNAUTHENTICATED";
  if (status === 403) return "FORBIDDEN";
  if (status === 404) return "NOT_FOUND";
  if (status === 409) return "CONFLICT";
  if (status === 429) return "LIMIT_EXCEEDED";
  if (status === 502) return "UPSTREAM_FAILED";
  if (status >= 500) return "INTERNAL";
  return "UNKNOWN";
}

/** Reads `{ code, message, details: { reason, fields }, requestId }` (the AppError shape). */
export function fromAppErrorShape(shape: unknown, fallback: UiError["code"]): UiError | null {
  if (!isRecord(shape) || typeof shape.message !== "string") return null;
  const details = isRecord(shape.details) ? shape.details : {};
  const code = typeof shape.code === "string" ? (shape.code as UiError["code"]) : fallback;
  let message = shape.message;
  const requestId = shape.requestId ?? details.requestId;
  if (code === "INTERNAL" && typeof requestId === "string") message = `${message} (request ${requestId})`;
  return {
    code,
    message,
    fields: stringRecord(details.fields),
    reason: typeof details.reason === "string" ? details.reason : undefined,
  };
}

/** Normalises anything thrown by fetch, the tRPC client or our own code. */
export function toUiError(err: unknown): UiError {
  if (err instanceof ApiError) return err.info;
  if (err instanceof TRPCClientError) {
    const data: unknown = err.data;
    const trpcCode = isRecord(data) && typeof data.code === "string" ? data.code : undefined;
    const fallback = (trpcCode && trpcCodes[trpcCode]) || "UNKNOWN";
    const fromShape = isRecord(data) ? fromAppErrorShape(data.appError, fallback) : null;
    if (fromShape) return fromShape;
    if (!isRecord(data)) {
      // No error shape at all: the request never reached tRPC (offline, proxy down, HTML error page).
      const offline = err.cause instanceof TypeError || /fetch|network/i.test(err.message);
      return { code: offline ? "NETWORK" : "UNKNOWN", message: offline ? networkMessage : unknownMessage, fields: {} };
    }
    return { code: fallback, message: err.message || unknownMessage, fields: {} };
  }
  if (err instanceof TypeError) return { code: "NETWORK", message: networkMessage, fields: {} };
  return { code: "UNKNOWN", message: unknownMessage, fields: {} };
}

export { networkMessage, unknownMessage };
