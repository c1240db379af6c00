import { z } from "zod";

export const roles = ["owner", "admin", "account_manager", "moderator", "client_stakeholder"] as const;
export type Role = (typeof roles)[number];
export const authorities = ["respond", "triage", "view", "approve"] as const;
export type Authority = (typeof authorities)[number];
/**
 * Which authorities each role may hold on a client (the server's rule, and the options the members screen
 * offers). Owners and admins see every client and hold none.
 */
export const authoritiesByRole: Record<Role, readonly Authority[]> = {
  owner: [],
  admin: [],
  account_manager: ["view"],
  moderator: ["respond", "triage"],
  client_stakeholder: ["view", "approve"],
};
/** Roles and authorities in words, for messages people read. */
export const roleNames: Record<Role, string> = {
  owner: "an owner",
  admin: "an admin",
  account_manager: "an account manager",
  moderator: "a moderator",
  client_stakeholder: "a client stakeholder",
};
export const authorityNames: Record<Authority, string> = {
  respond: "Respond",
  triage: "Triage",
  view: "View only",
  approve: "Approve replies",
};
/** Why a moderator whose authority on the client is `triage` may not answer (the server's refusal and the console's). */
export const memberTriageMessage = "Your authority on this client is triage: acknowledge and escalate instead";
/** Why such a moderator may not hide, unhide or delete: what the public sees is for a lead or a `respond` moderator. */
export const memberTriageModerationMessage =
  "Your authority on this client is triage: hiding and deleting are for a lead or a moderator who responds";
/**
 * `sandbox`: Parley's own test platform (like a payment provider's test mode): its deliveries go to Parley's sandbox
 * endpoint, and its public page is shown in Parley. For the demo and for trying Parley without credentials.
 */
export const platforms = ["facebook", "instagram", "x", "youtube", "forum", "reviews", "generic", "sandbox"] as const;
export type Platform = (typeof platforms)[number];
/**
 * Reply length limits when a brand protocol sets none (its `maxReplyLength` overrides them per platform): the
 * platform's own limit, or a readable one where it has none. Here so the protocol editor can show them.
 */
export const defaultMaxReplyLength: Readonly<Record<Platform, number>> = {
  facebook: 8000,
  instagram: 2200,
  x: 280,
  youtube: 10000,
  forum: 10000,
  reviews: 4000,
  generic: 2000,
  sandbox: 8000,
};
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

/**
 * A field's own message, or "is required" when nothing was sent for it: a schema-level message answers every failure
 * of its type, and "must be a UUID" for a field the caller left out sends them looking in the wrong place.
 */
export const requiredOr =
  (message: string) =>
  (issue: { input?: unknown }): string =>
    issue.input === undefined ? "is required" : message;

export const uuid = z.uuid({ error: requiredOr("must be a UUID") });
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

/** A password a person chooses: long enough to resist guessing, short enough to hash quickly. */
export const newPassword = z
  .string({ message: "must be a text" })
  .min(10, { message: "must be at least 10 characters" })
  .max(256, { message: "must be at most 256 characters" });
/** The secret of an invitation or reset link, as the link carries it. */
const linkToken = z
  .string({ message: "must be a text" })
  .regex(/^[A-Za-z0-9_-]{20,100}$/, { message: "is not a link token" });

export const passwordChangeInput = z.object({
  currentPassword: z.string({ message: "must be a text" }).min(1, { message: "is required" }).max(256),
  newPassword,
});
export type PasswordChangeInput = z.infer<typeof passwordChangeInput>;
export const passwordResetRequestInput = z.object({ email });
export const passwordResetInput = z.object({ token: linkToken, password: newPassword });
export type PasswordResetInput = z.infer<typeof passwordResetInput>;
export const linkTokenInput = z.object({ token: linkToken });
/**
 * Accepting an invitation: someone new to Parley chooses their name and password; someone Parley already knows
 * is signed in as the invitee, or gives their own password.
 */
export const invitationAcceptInput = z.object({
  token: linkToken,
  name: z
    .string({ message: "must be a text" })
    .trim()
    .min(1, { message: "is required" })
    .max(120, { message: "must be at most 120 characters" })
    .optional(),
  password: z.string({ message: "must be a text" }).min(1, { message: "is required" }).max(256).optional(),
});
export type InvitationAcceptInput = z.infer<typeof invitationAcceptInput>;
/** What someone new to Parley gives to accept: the form's live check of the same rules the server applies. */
export const invitationSignUpInput = invitationAcceptInput.extend({
  name: z.string({ message: "must be a text" }).trim().min(1, { message: "is required" }).max(120),
  password: newPassword,
});

export const clientCreateInput = z.object({ name, timeZone });
export type ClientCreateInput = z.infer<typeof clientCreateInput>;
export const clientUpdateInput = z.object({ clientId: uuid, name: name.optional(), timeZone: timeZone.optional() });
export type ClientUpdateInput = z.infer<typeof clientUpdateInput>;
export const clientIdInput = z.object({ clientId: uuid });
export const clientListInput = z
  .object({ includeArchived: z.boolean().default(false) })
  .default({ includeArchived: false });

// ——— Billing details (printed on invoices, frozen into each finalized invoice) ———

// biome-ignore lint/suspicious/noControlCharactersInRegex: the point is to reject them
const controlCharacters = /[\u0000-\u001f\u007f-\u009f\u2028\u2029]/;
export const maxBillingAddressLines = 8;
export const maxBillingAddressLineLength = 200;

/** Blank ("" or spaces) means "not set": the detail is stored as null. */
const blankToNull = (value: string | null) => (value === null || value.trim() === "" ? null : value.trim());

function billingText(max: number) {
  return z
    .string({ message: "must be a text" })
    .max(max, { message: `must be at most ${max} characters` })
    .nullable()
    .transform(blankToNull)
    .refine((value) => value === null || !controlCharacters.test(value), {
      message: "must be a single line without control characters",
    });
}

/**
 * A postal address, one line per line: each line trimmed, blank lines dropped, at most 8 lines of
 * 200 characters (what an invoice prints). Stored with "\n" between lines.
 */
export const billingAddress = z
  .string({ message: "must be a text" })
  .max(1_000, { message: "must be at most 1,000 characters" })
  .nullable()
  .transform((value) =>
    (value ?? "")
      .split(/\r\n|\r|\n/)
      .map((line) => line.trim())
      .filter((line) => line !== ""),
  )
  .superRefine((lines, ctx) => {
    if (lines.length > maxBillingAddressLines) {
      ctx.addIssue({ code: "custom", message: `must have at most ${maxBillingAddressLines} lines` });
    }
    const long = lines.findIndex((line) => line.length > maxBillingAddressLineLength);
    if (long >= 0) {
      ctx.addIssue({
        code: "custom",
        message: `line ${long + 1} must be at most ${maxBillingAddressLineLength} characters`,
      });
    }
    if (lines.some((line) => controlCharacters.test(line))) {
      ctx.addIssue({ code: "custom", message: "must not contain control characters" });
    }
  })
  .transform((lines) => (lines.length === 0 ? null : lines.join("\n")));

/**
 * A VAT number or other tax id, as printed: 2–40 letters, digits, spaces, '.', '-' or '/', with at
 * least one digit ("GB123456789", "DE 123 456 789", "12-3456789", "CHE-123.456.789 MWST"). Permissive
 * on purpose: formats differ by country and are checked by the tax authority, not here.
 */
export const taxId = z
  .string({ message: "must be a text" })
  .max(40, { message: "must be at most 40 characters" })
  .nullable()
  .transform(blankToNull)
  .refine(
    (value) => value === null || (/^[A-Za-z0-9][A-Za-z0-9 .\-/]{0,38}[A-Za-z0-9]$/.test(value) && /\d/.test(value)),
    {
      message: "must be 2–40 letters, digits, spaces, '.', '-' or '/', with at least one digit",
    },
  );

export const billingEmail = z
  .string({ message: "must be a text" })
  .max(254, { message: "must be at most 254 characters" })
  .nullable()
  .transform((value) => blankToNull(value)?.toLowerCase() ?? null)
  .refine((value) => value === null || z.email().safeParse(value).success, { message: "must be an e-mail address" });

/**
 * The agency's billing details, all replaced at once; a blank or null field is cleared. The legal
 * name, when set, is the seller's name on invoices (otherwise the agency's name).
 */
export const agencyBillingDetailsInput = z.object({
  legalName: billingText(200),
  billingAddress,
  taxId,
  billingEmail,
});
export type AgencyBillingDetailsInput = z.infer<typeof agencyBillingDetailsInput>;

/** A client's billing details (the buyer on its invoices), all replaced at once. */
export const clientBillingDetailsInput = z.object({
  clientId: uuid,
  billingAddress,
  taxId,
  billingEmail,
});
export type ClientBillingDetailsInput = z.infer<typeof clientBillingDetailsInput>;

export interface BillingDetailsView {
  billingAddress: string | null;
  taxId: string | null;
  billingEmail: string | null;
}

export interface AgencyBillingDetailsView extends BillingDetailsView {
  agencyId: string;
  name: string;
  legalName: string | null;
}

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
export const invitationIdInput = z.object({ invitationId: uuid });
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
  /** The buyer's details on its invoices. */
  billing: BillingDetailsView;
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
/** How a channel's outbound deliveries (replies, hides, deletes) fared lately: what an admin has to fix. */
export interface ChannelDeliveryHealth {
  /** Deliveries that gave up in the last `deliveryProblemDays` days. */
  failed: number;
  /** Deliveries that failed and will be tried again. */
  retrying: number;
  /** The latest of their errors. */
  lastError: { message: string; at: Date } | null;
}
/** How long a failed delivery counts against its channel's health. */
export const deliveryProblemDays = 7;
export interface ChannelListEntry extends ChannelView {
  delivery: ChannelDeliveryHealth;
  /** An open delivery incident (failures in a row, or a permanent refusal); cleared by the next success. */
  incident: { openedAt: Date; reason: string | null } | null;
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
/** A pending invitation, as the inviting agency sees it: what it typed, nothing about the person. */
export interface InvitationView {
  id: string;
  email: string;
  name: string;
  role: Role;
  invitedBy: string;
  expiresAt: Date;
  createdAt: Date;
}
/**
 * The answer to an invitation, the same whether or not Parley knows the e-mail. With SMTP the link went to the
 * invitee (`link` null); without, the inviter copies `link`, shown this once.
 */
export interface InvitationSentView {
  invitation: InvitationView;
  link: string | null;
  emailed: boolean;
}
/** What the holder of an invitation link sees before accepting it. */
export interface InvitationPreview {
  agencyName: string;
  email: string;
  name: string;
  role: Role;
  expiresAt: Date;
  /** `existing`: the invitee signs in (or is signed in) to accept; `new`: they choose a name and password. */
  account: "new" | "existing";
}
/** An owner-issued password reset link: shown once, single-use. */
export interface PasswordResetLinkView {
  email: string;
  link: string;
  expiresAt: Date;
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

/**
 * What an agency API key may do on `/v1`: read items, invoices, SLA reports; push items into a channel
 * (`ingest`, instead of the channel's HMAC signature).
 */
export const apiKeyScopes = ["items:read", "invoices:read", "reports:read", "ingest"] as const;
export type ApiKeyScope = (typeof apiKeyScopes)[number];
/** The scopes of keys made before scopes existed (the migration gives them these, so they keep working). */
export const apiKeyReadScopes = [
  "items:read",
  "invoices:read",
  "reports:read",
] as const satisfies readonly ApiKeyScope[];
