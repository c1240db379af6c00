/**
 * Plain-fetch calls to the cookie-session endpoints under /auth: sign in and out, the session's `me`, and the
 * links Parley hands out (accept an invitation, reset a password). Everything else goes through tRPC. The
 * answers are typed by @parley/contracts' session answers, which the API builds its answers with.
 */
import type {
  InvitationAcceptInput,
  InvitationLookupAnswer,
  LoginInput,
  MeView,
  OverJson,
  PasswordResetInput,
  PasswordResetLookupAnswer,
  PasswordResetRequestAnswer,
  SessionAnswer,
} from "@parley/contracts";
import { ApiError, codeFromStatus, fromAppErrorShape, networkMessage, unknownMessage } from "./errors";

async function request<T>(method: "GET" | "POST", path: string, body?: unknown): Promise<OverJson<T>> {
  let response: Response;
  try {
    response = await fetch(path, {
      method,
      credentials: "same-origin",
      headers:
        body === undefined
          ? { accept: "application/json" }
          : { accept: "application/json", "content-type": "application/json" },
      body: body === undefined ? undefined : JSON.stringify(body),
    });
  } catch {
    throw new ApiError({ code: "NETWORK", message: networkMessage, fields: {} });
  }
  const payload: unknown = await response.json().catch(() => null);
  if (!response.ok) {
    const fallback = codeFromStatus(response.status);
    const shape =
      typeof payload === "object" && payload !== null && "error" in payload
        ? fromAppErrorShape((payload as { error: unknown }).error, fallback)
        : null;
    const retryAfter = Number.parseInt(response.headers.get("retry-after") ?? "", 10);
    throw new ApiError({
      ...(shape ?? { code: fallback, message: unknownMessage, fields: {} }),
      retryAfterSeconds: Number.isFinite(retryAfter) ? retryAfter : undefined,
    });
  }
  return payload as OverJson<T>;
}

export async function signIn(input: LoginInput): Promise<MeView> {
  return (await request<SessionAnswer>("POST", "/auth/login", input)).me;
}

export async function signOut(): Promise<void> {
  await request<unknown>("POST", "/auth/logout");
}

/** The signed-in user, or null when there is no valid session. */
export async function fetchMe(): Promise<MeView | null> {
  try {
    return (await request<SessionAnswer>("GET", "/auth/me")).me;
  } catch (err) {
    if (err instanceof ApiError && err.info.code === "UNAUTHENTICATED") return null;
    throw err;
  }
}

export function fetchInvitation(token: string) {
  return request<InvitationLookupAnswer>("GET", `/auth/invitations/${encodeURIComponent(token)}`);
}

/** Accepts (signing up, or in, or as the signed-in invitee); the answer's session replaces the browser's. */
export async function acceptInvitation(input: InvitationAcceptInput): Promise<MeView> {
  return (await request<SessionAnswer>("POST", "/auth/invitations/accept", input)).me;
}

export function requestPasswordReset(email: string) {
  return request<PasswordResetRequestAnswer>("POST", "/auth/password-reset/request", { email });
}

export function fetchPasswordReset(token: string) {
  return request<PasswordResetLookupAnswer>("GET", `/auth/password-reset/${encodeURIComponent(token)}`);
}

export async function resetPassword(input: PasswordResetInput): Promise<MeView> {
  return (await request<SessionAnswer>("POST", "/auth/password-reset", input)).me;
}
