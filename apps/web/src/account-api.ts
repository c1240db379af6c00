/** The /auth endpoints behind invitation links and password resets (plain fetch, like sign-in). */
import type { InvitationAcceptInput, InvitationPreview, MeView, PasswordResetInput } from "@parley/contracts";
import { request } from "./api";

export function fetchInvitation(token: string) {
  return request<{ invitation: InvitationPreview; signedInAsInvitee: boolean }>(
    "GET",
    `/auth/invitations/${encodeURIComponent(token)}`,
  );
}

export async function acceptInvitation(input: InvitationAcceptInput): Promise<MeView> {
  return (await request<{ me: MeView }>("POST", "/auth/invitations/accept", input)).me;
}

export function requestPasswordReset(email: string) {
  return request<{ ok: true; emailed: boolean }>("POST", "/auth/password-reset/request", { email });
}

export function fetchPasswordReset(token: string) {
  return request<{ reset: { email: string; expiresAt: string } }>(
    "GET",
    `/auth/password-reset/${encodeURIComponent(token)}`,
  );
}

export async function resetPassword(input: PasswordResetInput): Promise<MeView> {
  return (await request<{ me: MeView }>("POST", "/auth/password-reset", input)).me;
}
