/** Plain-fetch helpers for the cookie session endpoints under /auth (everything else goes through tRPC). */
import type { LoginInput, MeView } from "@parley/contracts";
import { ApiError, codeFromStatus, fromAppErrorShape, networkMessage, unknownMessage } from "./errors";

export async function request<T>(method: "GET" | "POST", path: string, body?: unknown): Promise<T> {
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
  return payload as T;
}

export async function signIn(input: LoginInput): Promise<MeView> {
  const { me } = await request<{ me: MeView }>("POST", "/auth/login", input);
  return me;
}

export async function signOut(): Promise<void> {
  await request<unknown>("POST", "/auth/logout");
}

/** The signed-in user, or null when there is no valid session. */
export async function fetchMe(): Promise<MeView | null> {
  try {
    const { me } = await request<{ me: MeView }>("GET", "/auth/me");
    return me;
  } catch (err) {
    if (err instanceof ApiError && err.info.code === "UNAUTHENTICATED") return null;
    throw err;
  }
}
