import { AppError, type InvitationAcceptInput, newPassword } from "@parley/contracts";
import { acceptInvitation, previewInvitation } from "@parley/core/agencies";
import type { Clock } from "@parley/core/kernel";
import type { Database } from "@parley/db";
import { hashPassword } from "./password";
import { checkCredentials, openSession, type SignInResult } from "./sign-in";

/**
 * Accepts an invitation and signs the person in, in the invitation's agency. Someone Parley already knows accepts
 * while signed in as themselves, or with their own password (checked under the sign-in limits); someone new
 * chooses their name and password here. Nobody but the invitee ever sees or sets the password.
 */
export async function acceptInvitationAndSignIn(
  db: Database,
  options: InvitationAcceptInput & { signedInUserId: string | null; ip: string; now?: Clock },
): Promise<SignInResult> {
  const preview = await previewInvitation(db, { token: options.token }, options);
  let as: Parameters<typeof acceptInvitation>[1]["as"];
  if (preview.userId) {
    if (options.signedInUserId === preview.userId) {
      as = { userId: preview.userId };
    } else if (options.password !== undefined) {
      const user = await checkCredentials(db, { email: preview.email, password: options.password, ip: options.ip });
      as = { userId: user.id };
    } else {
      throw new AppError("UNAUTHENTICATED", `Sign in as ${preview.email} to accept this invitation`, {
        reason: "sign_in_required",
      });
    }
  } else {
    const password = newPassword.safeParse(options.password ?? "");
    if (!password.success) {
      const message = password.error.issues[0]?.message ?? "is required";
      throw new AppError("BAD_INPUT", `Invalid input — password: ${message}`, {
        reason: "validation",
        fields: { password: message },
      });
    }
    as = { newUser: { name: options.name ?? preview.name, passwordHash: await hashPassword(password.data) } };
  }
  const accepted = await acceptInvitation(db, { token: options.token, as, ip: options.ip }, options);
  return openSession(db, { userId: accepted.userId, agencyId: accepted.agencyId, ip: options.ip, now: options.now });
}
