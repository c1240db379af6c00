import {
  AppError,
  type AppErrorCode,
  badInput,
  maxReportedIssues,
  type Policy,
  unstorableTextIssues,
} from "@parley/contracts";
import { assertAllowed, type Scope, tenantOf } from "@parley/core/kernel";
import { type Transaction, withTenant } from "@parley/db";
import { initTRPC, TRPCError } from "@trpc/server";
import type { TRPC_ERROR_CODE_KEY } from "@trpc/server/rpc";
import superjson from "superjson";
import { ZodError } from "zod";
import type { Context } from "./context";

const trpcCodeOf: Record<AppErrorCode, TRPC_ERROR_CODE_KEY> = {
  BAD_INPUT: "BAD_REQUEST",
  UNAUTHENTICATED: "UNAUTHORIZED",
  FORBIDDEN: "FORBIDDEN",
  NOT_FOUND: "NOT_FOUND",
  CONFLICT: "CONFLICT",
  INVALID_STATE: "CONFLICT",
  LIMIT_EXCEEDED: "TOO_MANY_REQUESTS",
  UPSTREAM_FAILED: "BAD_GATEWAY",
  INTERNAL: "INTERNAL_SERVER_ERROR",
};

/** The AppError behind any error a procedure produced; unknown errors become a generic INTERNAL. */
export function appErrorOf(error: unknown): AppError {
  const cause = error instanceof TRPCError ? error.cause : error;
  if (cause instanceof AppError) return cause;
  if (cause instanceof ZodError) return badInput(cause.issues);
  if (error instanceof TRPCError && error.code === "PARSE_ERROR") {
    return new AppError("BAD_INPUT", "Request body is not valid JSON", { reason: "malformed_json" });
  }
  if (error instanceof TRPCError && error.code === "NOT_FOUND") {
    return new AppError("NOT_FOUND", error.message, { reason: "no_such_procedure" });
  }
  if (error instanceof TRPCError && error.code === "METHOD_NOT_SUPPORTED") {
    return new AppError("BAD_INPUT", error.message, { reason: "method_not_supported" });
  }
  if (error instanceof TRPCError && error.code === "UNSUPPORTED_MEDIA_TYPE") {
    return new AppError("BAD_INPUT", "Send the input as JSON (Content-Type: application/json)", {
      reason: "unsupported_media_type",
    });
  }
  if (error instanceof TRPCError && error.code === "BAD_REQUEST") {
    return new AppError("BAD_INPUT", error.message, { reason: "bad_request" });
  }
  return new AppError("INTERNAL", "Something went wrong on our side");
}

const t = initTRPC.context<Context>().create({
  transformer: superjson,
  errorFormatter({ shape, error, ctx }) {
    const appError = appErrorOf(error);
    return {
      ...shape,
      message: appError.message,
      data: {
        code: shape.data.code,
        httpStatus: shape.data.httpStatus,
        path: shape.data.path,
        appError: {
          code: appError.code,
          message: appError.message,
          details: appError.details,
          requestId: ctx?.requestId,
        },
      },
    };
  },
});

export const router = t.router;
export const createCallerFactory = t.createCallerFactory;

/** Turns AppErrors (and input ZodErrors) into tRPC errors with the matching HTTP status. */
const mapErrors = t.middleware(async ({ next }) => {
  const result = await next();
  if (result.ok) return result;
  const appError = appErrorOf(result.error);
  if (appError.code === "INTERNAL" && !(result.error.cause instanceof AppError)) return result;
  return {
    ...result,
    error: new TRPCError({ code: trpcCodeOf[appError.code], message: appError.message, cause: appError }),
  };
});

/** Input text PostgreSQL cannot store (NUL, half a surrogate pair) is BAD_INPUT naming each field, before any work. */
const refuseUnstorableText = t.middleware(async ({ getRawInput, next }) => {
  const issues = unstorableTextIssues(await getRawInput(), maxReportedIssues);
  if (issues.length > 0) throw badInput(issues);
  return next();
});

export const publicProcedure = t.procedure.use(mapErrors).use(refuseUnstorableText);

export const authedProcedure = publicProcedure.use(({ ctx, next }) => {
  if (!ctx.session) throw new AppError("UNAUTHENTICATED", "Sign in first", { reason: "no_session" });
  return next({ ctx: { session: ctx.session } });
});

const rollback = Symbol("rollback");

/** Runs a procedure in one tenant transaction, rolled back when the procedure failed. */
async function runInTenant<R extends { ok: boolean }>(
  ctx: Context & { scope: Scope },
  work: (tx: Transaction) => Promise<R>,
): Promise<R> {
  let outcome: R | undefined;
  try {
    await withTenant(ctx.services.db, tenantOf(ctx.scope), async (tx) => {
      outcome = await work(tx);
      if (!outcome.ok) throw rollback;
    });
  } catch (error) {
    if (error !== rollback) throw error;
  }
  if (!outcome) throw new AppError("INTERNAL", "Procedure produced no result");
  return outcome;
}

/**
 * A member of the current agency, outside any transaction: for the procedures that open their own (claims,
 * which the claim batcher serves together, and queue counts, which the queue counter reads for many at once).
 */
export const agencyMemberProcedure = authedProcedure.use(({ ctx, next }) => {
  const scope = ctx.scope;
  if (!scope) throw new AppError("FORBIDDEN", "Choose an agency first", { reason: "no_agency" });
  return next({ ctx: { scope } });
});

/** A member of the current agency; the procedure runs in one transaction scoped for row-level security. */
export const agencyProcedure = agencyMemberProcedure.use(({ ctx, next }) =>
  runInTenant(ctx, (tx) => next({ ctx: { tx } })),
);

/**
 * A procedure of the current agency that the named policy admits (the permissions table in @parley/contracts,
 * checked by core's `assertAllowed`); a use case may narrow it further by client.
 */
export function procedureFor(policy: Policy) {
  return agencyProcedure.use(({ ctx, next }) => {
    assertAllowed(ctx.scope, policy);
    return next();
  });
}
