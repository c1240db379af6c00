import { z } from "zod";

export const roles = ["owner", "admin", "account_manager", "moderator", "client_stakeholder"] as const;
export type Role = (typeof roles)[number];
export const authorities = ["respond", "triage", "view", "approve"] as const;
export type Authority = (typeof authorities)[number];
export const platforms = ["facebook", "instagram", "x", "youtube", "forum", "reviews", "generic"] as const;
export type Platform = (typeof platforms)[number];
export const clientStatuses = ["active", "archived"] as const;

/** Roles that see every client of the agency; the rest are scoped by client_assignments. */
export const agencyWideRoles: readonly Role[] = ["owner", "admin"];

export function isValidTimeZone(zone: string): boolean {
  try {
    new Intl.DateTimeFormat("en", { timeZone: zone });
    return zone.includes("/") || zone === "UTC";
  } catch {
    return false;
  }
}

export const uuid = z.uuid({ message: "must be a UUID" });
export const timeZone = z
  .string()
  .refine(isValidTimeZone, { message: "must be an IANA time zone such as Europe/London" });
const name = z
  .string()
  .trim()
  .min(1, { message: "is required" })
  .max(120, { message: "must be at most 120 characters" });
export const email = z
  .string()
  .trim()
  .toLowerCase()
  .pipe(z.email({ message: "must be an e-mail address" }));

export const loginInput = z.object({
  email,
  password: z.string().min(1, { message: "is required" }).max(256),
});
export type LoginInput = z.infer<typeof loginInput>;

export const switchAgencyInput = z.object({ agencyId: uuid });

export const clientCreateInput = z.object({ name, timeZone });
export type ClientCreateInput = z.infer<typeof clientCreateInput>;
export const clientUpdateInput = z.object({ clientId: uuid, name: name.optional(), timeZone: timeZone.optional() });
export type ClientUpdateInput = z.infer<typeof clientUpdateInput>;
export const clientIdInput = z.object({ clientId: uuid });
export const clientListInput = z
  .object({ includeArchived: z.boolean().default(false) })
  .default({ includeArchived: false });

export const channelCreateInput = z.object({
  clientId: uuid,
  platform: z.enum(platforms, { message: `must be one of ${platforms.join(", ")}` }),
  externalAccountId: z.string().trim().min(1, { message: "is required" }).max(200),
  displayName: name,
  credentials: z.record(z.string(), z.string()).optional(),
});
export type ChannelCreateInput = z.infer<typeof channelCreateInput>;
export const channelUpdateInput = z.object({
  channelId: uuid,
  displayName: name.optional(),
  externalAccountId: z.string().trim().min(1, { message: "is required" }).max(200).optional(),
  credentials: z.record(z.string(), z.string()).optional(),
});
export type ChannelUpdateInput = z.infer<typeof channelUpdateInput>;
export const channelIdInput = z.object({ channelId: uuid });
export const channelListInput = z.object({ clientId: uuid.optional() }).default({});

export const memberInviteInput = z.object({
  email,
  name: name,
  role: z.enum(roles, { message: `must be one of ${roles.join(", ")}` }),
});
export type MemberInviteInput = z.infer<typeof memberInviteInput>;
export const memberIdInput = z.object({ membershipId: uuid });
export const memberRoleInput = z.object({
  membershipId: uuid,
  role: z.enum(roles, { message: `must be one of ${roles.join(", ")}` }),
});
export const memberAssignInput = z.object({
  membershipId: uuid,
  assignments: z
    .array(
      z.object({
        clientId: uuid,
        authority: z.enum(authorities, { message: `must be one of ${authorities.join(", ")}` }),
        clientAdmin: z.boolean().default(false),
      }),
    )
    .max(500),
});
export type MemberAssignInput = z.infer<typeof memberAssignInput>;

export interface ClientView {
  id: string;
  name: string;
  timeZone: string;
  status: (typeof clientStatuses)[number];
  createdAt: Date;
}
export interface ChannelView {
  id: string;
  clientId: string;
  platform: Platform;
  externalAccountId: string;
  displayName: string;
  hasCredentials: boolean;
  createdAt: Date;
}
export interface ChannelSecretView {
  channel: ChannelView;
  /** Shown once, at creation or rotation. */
  ingestSecret: string;
}
export interface AssignmentView {
  clientId: string;
  authority: Authority;
  clientAdmin: boolean;
}
export interface MemberView {
  membershipId: string;
  userId: string;
  email: string;
  name: string;
  role: Role;
  assignments: AssignmentView[];
}
export interface MemberInviteView {
  member: MemberView;
  /** Present when a new user was created: shown once. */
  oneTimePassword: string | null;
}
export interface MeView {
  user: { id: string; email: string; name: string };
  memberships: Array<{ membershipId: string; agencyId: string; agencyName: string; role: Role }>;
  current: {
    agencyId: string;
    agencyName: string;
    role: Role;
    assignments: AssignmentView[];
  } | null;
}
