export const appErrorCodes = [
  "BAD_INPUT",
  "UNAUTHENTICATED",
  "FORBIDDEN",
  "NOT_FOUND",
  "CONFLICT",
  "INVALID_STATE",
  "LIMIT_EXCEEDED",
  "UPSTREAM_FAILED",
  "INTERNAL",
] as const;

export type AppErrorCode = (typeof appErrorCodes)[number];

export interface AppErrorDetails {
  reason?: string;
  /** Field-level problems: path (dotted) -> message. */
  fields?: Record<string, string>;
  [key: string]: unknown;
}

export const httpStatusOf: Record<AppErrorCode, number> = {
  BAD_INPUT: 400,
  UNAUTHENTICATED: 401,
  FORBIDDEN: 403,
  NOT_FOUND: 404,
  CONFLICT: 409,
  INVALID_STATE: 409,
  LIMIT_EXCEEDED: 429,
  UPSTREAM_FAILED: 502,
  INTERNAL: 500,
};

export class AppError extends Error {
  readonly code: AppErrorCode;
  readonly details: AppErrorDetails;

  constructor(code: AppErrorCode, message: string, details: AppErrorDetails = {}) {
    super(message);
    this.name = "AppError";
    this.code = code;
    this.details = details;
  }
}

/** Field path -> first message, from zod-style issues. */
export function fieldMessages(
  issues: ReadonlyArray<{ path: ReadonlyArray<PropertyKey>; message: string }>,
): Record<string, string> {
  const fields: Record<string, string> = {};
  for (const issue of issues) {
    const path = issue.path.map(String).join(".") || "(body)";
    fields[path] ??= issue.message;
  }
  return fields;
}

/** A garbage 1000-item batch can produce thousands of issues; an error names the first 100 and counts the rest. */
export const maxReportedIssues = 100;

/** A BAD_INPUT error whose message names every bad field. */
export function badInput(issues: ReadonlyArray<{ path: ReadonlyArray<PropertyKey>; message: string }>): AppError {
  const fields = fieldMessages(issues);
  const summary = Object.entries(fields)
    .map(([path, message]) => `${path}: ${message}`)
    .join("; ");
  return new AppError("BAD_INPUT", `Invalid input — ${summary}`, { reason: "validation", fields });
}
