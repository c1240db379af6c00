import type { Role } from "./domain";

/**
 * Who may do what, written down once: each named policy lists the roles it admits. The server checks a policy
 * with core's `assertAllowed(scope, policy)` (tRPC: `procedureFor(policy)`); a use case may narrow it further
 * by client (a stakeholder answers only their own client's escalations, a moderator with triage authority may
 * not reply). Browser-safe, so the web app can decide what to show by the same table.
 */
export const permissions = {
  /** The agency itself: members, clients, channels, API keys, billing details, playbooks. */
  administer: ["owner", "admin"],
  /** Issue a member a link to set a new password: the agency's owners only. */
  resetPasswords: ["owner"],
  /**
   * The agency's day-to-day work in sight: channels, queue counts, an item in full — raw items (hidden, deleted and
   * spam included) over tRPC and `/v1` alike (staff, not clients).
   */
  viewOperations: ["owner", "admin", "account_manager", "moderator"],
  /**
   * The shift lead's floor view: every client's incoming rate, queue and spikes, who is online and on what, and
   * each moderator's pace today. Agency leads (owners and admins), like reassigning a claim.
   */
  watchFloor: ["owner", "admin"],
  /** Work the queues: claim, reply, hide, delete, tag, note, escalate. */
  moderate: ["owner", "admin", "moderator"],
  /** Clients' accounts: contracts, invoice drafts, finalizing, credit notes, Stripe, clients' billing details. */
  manageAccounts: ["owner", "admin", "account_manager"],
  /** Plan the shared moderator pool: forecasts, events, the roster and its settings. */
  planStaffing: ["owner", "admin", "account_manager"],
  /** Read reports: staff who see accounts, every client; a stakeholder their own client's. */
  readReports: ["owner", "admin", "account_manager", "client_stakeholder"],
  /** Read invoices: staff who manage accounts, and stakeholders their own client's finalized ones. */
  readInvoices: ["owner", "admin", "account_manager", "client_stakeholder"],
  /** Take on, answer and resolve escalations: agency leads and the client's stakeholders. */
  answerEscalations: ["owner", "admin", "client_stakeholder"],
  /** Approve or reject replies awaiting approval: agency leads, and stakeholders with `approve` authority. */
  decideApprovals: ["owner", "admin", "client_stakeholder"],
  /** Save a client's brand protocol: agency leads, and the client's own admin. */
  editProtocols: ["owner", "admin", "client_stakeholder"],
} as const satisfies Record<string, readonly Role[]>;

export type Policy = keyof typeof permissions;

export function isAllowed(role: Role, policy: Policy): boolean {
  return (permissions[policy] as readonly Role[]).includes(role);
}
