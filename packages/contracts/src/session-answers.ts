/**
 * What the cookie-session endpoints under /auth answer (plain JSON over fetch; everything else is tRPC). The
 * API builds its answers as these types and the web reads them as `OverJson<…>` of the same types, so neither
 * side keeps a copy of the other's shape.
 */
import type { InvitationPreview, MeView } from "./domain";

/** A value as plain JSON carries it: instants arrive as ISO strings (tRPC's superjson keeps them Dates). */
export type OverJson<T> = T extends Date
  ? string
  : T extends ReadonlyArray<infer Item>
    ? OverJson<Item>[]
    : T extends object
      ? { [K in keyof T]: OverJson<T[K]> }
      : T;

/** `POST /auth/login`, `GET /auth/me`, `POST /auth/invitations/accept`, `POST /auth/password-reset`. */
export interface SessionAnswer {
  me: MeView;
}

/** `GET /auth/invitations/{token}`: what the link offers, and whether the browser is signed in as the invitee. */
export interface InvitationLookupAnswer {
  invitation: InvitationPreview;
  signedInAsInvitee: boolean;
}

/** What the holder of a password reset link sees before choosing a new password. */
export interface PasswordResetPreview {
  email: string;
  expiresAt: Date;
}

/** `GET /auth/password-reset/{token}`. */
export interface PasswordResetLookupAnswer {
  reset: PasswordResetPreview;
}

/** `POST /auth/password-reset/request` (202), the same whether or not the address has an account. */
export interface PasswordResetRequestAnswer {
  ok: true;
  /** false: this Parley has no SMTP, so an owner hands out reset links instead. */
  emailed: boolean;
}
