/**
 * Billing details: who sells (the agency: legal name, address, tax id, billing e-mail) and who buys
 * (each client: address, tax id, billing e-mail), as the invoices print them. Finalizing an invoice
 * copies them into its snapshot, so a later change here never alters a finalized invoice.
 *
 * Who may change them: the agency's, owners and admins (like users and clients); a client's, owners,
 * admins and the account managers assigned to the client (they produce its invoices, as with its
 * contracts). Every change is audited with before and after.
 */
import {
  type AgencyBillingDetailsInput,
  type AgencyBillingDetailsView,
  AppError,
  type ClientBillingDetailsInput,
  type ClientView,
} from "@parley/contracts";
import { type Executor, schema } from "@parley/db";
import { and, eq } from "drizzle-orm";
import { assertAllowed } from "../kernel/permissions";
import { recordAudit } from "../kernel/record-audit";
import type { Scope } from "../kernel/scope";
import { getClient, toClientView } from "./clients";

const { agencies, clients } = schema;
type AgencyRow = typeof agencies.$inferSelect;

function toAgencyBillingView(row: AgencyRow): AgencyBillingDetailsView {
  return {
    agencyId: row.id,
    name: row.name,
    legalName: row.legalName,
    billingAddress: row.billingAddress,
    taxId: row.taxId,
    billingEmail: row.billingEmail,
  };
}

function billingOf(row: Pick<AgencyRow, "legalName" | "billingAddress" | "taxId" | "billingEmail">) {
  return {
    legalName: row.legalName,
    billingAddress: row.billingAddress,
    taxId: row.taxId,
    billingEmail: row.billingEmail,
  };
}

/** The current agency's billing details (owners and admins). */
export async function getAgencyBillingDetails(scope: Scope, tx: Executor): Promise<AgencyBillingDetailsView> {
  assertAllowed(scope, "administer");
  const [row] = await tx.select().from(agencies).where(eq(agencies.id, scope.agencyId));
  if (!row) throw new AppError("NOT_FOUND", "Agency not found", { reason: "agency_not_found" });
  return toAgencyBillingView(row);
}

/** Replaces the current agency's billing details (owners and admins); blank fields are cleared. */
export async function updateAgencyBillingDetails(
  scope: Scope,
  tx: Executor,
  input: AgencyBillingDetailsInput,
): Promise<AgencyBillingDetailsView> {
  assertAllowed(scope, "administer");
  const [before] = await tx.select().from(agencies).where(eq(agencies.id, scope.agencyId)).for("update");
  if (!before) throw new AppError("NOT_FOUND", "Agency not found", { reason: "agency_not_found" });
  const [row] = await tx
    .update(agencies)
    .set({
      legalName: input.legalName,
      billingAddress: input.billingAddress,
      taxId: input.taxId,
      billingEmail: input.billingEmail,
      updatedAt: new Date(),
    })
    .where(eq(agencies.id, scope.agencyId))
    .returning();
  if (!row) throw new AppError("NOT_FOUND", "Agency not found", { reason: "agency_not_found" });
  await recordAudit(tx, scope, {
    action: "agency.billing_details_updated",
    subjectType: "agency",
    subjectId: row.id,
    before: billingOf(before),
    after: billingOf(row),
  });
  return toAgencyBillingView(row);
}

/**
 * Replaces a client's billing details (owners, admins, and account managers assigned to the client);
 * another agency's or an unassigned client is NOT_FOUND.
 */
export async function updateClientBillingDetails(
  scope: Scope,
  tx: Executor,
  input: ClientBillingDetailsInput,
): Promise<ClientView> {
  assertAllowed(scope, "manageAccounts");
  const before = await getClient(scope, tx, input.clientId);
  const [row] = await tx
    .update(clients)
    .set({
      billingAddress: input.billingAddress,
      taxId: input.taxId,
      billingEmail: input.billingEmail,
      updatedAt: new Date(),
    })
    .where(and(eq(clients.id, before.id), eq(clients.agencyId, scope.agencyId)))
    .returning();
  if (!row) throw new AppError("NOT_FOUND", "Client not found", { reason: "client_not_found" });
  const details = (r: typeof row) => ({
    billingAddress: r.billingAddress,
    taxId: r.taxId,
    billingEmail: r.billingEmail,
  });
  await recordAudit(tx, scope, {
    action: "client.billing_details_updated",
    subjectType: "client",
    subjectId: row.id,
    clientId: row.id,
    before: details(before),
    after: details(row),
  });
  return toClientView(row);
}
