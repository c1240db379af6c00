export const sessionCookieName = "parley_session";

export interface CookieAttributes {
  httpOnly: true;
  sameSite: "Lax";
  secure: boolean;
  path: "/";
  expires: Date;
}

/** HttpOnly, SameSite=Lax, Secure when served over https. */
export function sessionCookieAttributes(options: { secure: boolean; expiresAt: Date }): CookieAttributes {
  return { httpOnly: true, sameSite: "Lax", secure: options.secure, path: "/", expires: options.expiresAt };
}
