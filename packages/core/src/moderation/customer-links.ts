import { AppError, type ItemLinkCustomerInput } from "@parley/contracts";
import { type Executor, schema } from "@parley/db";
import { and, eq } from "drizzle-orm";
import { systemClock } from "../kernel/clock";
import { recordAudit } from "../kernel/record-audit";
import type { Scope } from "../kernel/scope";
import { announceItemChange, getItemInScope, type ModerationDeps } from "./item-actions";
import { findCustomer, getModerationItemDetail, type ModerationItemDetail } from "./item-detail";

const { items, channels, customers, customerIdentities, escalations } = schema;

/**
 * Links the item's author to another customer of the same client — the moderator recognised the same person on
 * another platform. The author's customer is merged into that one: every identity, item and escalation of it
 * moves over and it is removed, so the history across channels reads as one person's.
 */
export async function linkItemCustomer(
  scope: Scope,
  tx: Executor,
  input: ItemLinkCustomerInput,
  deps: ModerationDeps = {},
): Promise<ModerationItemDetail> {
  const now = (deps.now ?? systemClock)();
  const item = await getItemInScope(scope, tx, { itemId: input.itemId, lock: true });
  const [target] = await tx
    .select()
    .from(customers)
    .where(
      and(
        eq(customers.id, input.customerId),
        eq(customers.agencyId, scope.agencyId),
        eq(customers.clientId, item.clientId),
      ),
    )
    .for("update");
  if (!target) {
    throw new AppError("NOT_FOUND", "Customer not found for this item's client", {
      reason: "customer_not_found",
      fields: { customerId: "is not a customer of this item's client" },
    });
  }
  const [channel] = await tx
    .select({ platform: channels.platform })
    .from(channels)
    .where(and(eq(channels.id, item.channelId), eq(channels.agencyId, scope.agencyId)));
  if (!channel) throw new AppError("NOT_FOUND", "Channel not found", { reason: "channel_not_found" });
  const [identity] = await tx
    .select()
    .from(customerIdentities)
    .where(
      and(
        eq(customerIdentities.agencyId, scope.agencyId),
        eq(customerIdentities.clientId, item.clientId),
        eq(customerIdentities.platform, channel.platform),
        eq(customerIdentities.externalAuthorId, item.authorExternalId),
      ),
    );
  const previousId = identity?.customerId ?? item.customerId;
  if (previousId === target.id) return getModerationItemDetail(scope, tx, { itemId: item.id }, deps);

  const before = previousId ? await findCustomer(scope, tx, previousId) : null;
  if (previousId) {
    const moved = { customerId: target.id, updatedAt: now };
    await tx
      .update(customerIdentities)
      .set(moved)
      .where(and(eq(customerIdentities.agencyId, scope.agencyId), eq(customerIdentities.customerId, previousId)));
    await tx
      .update(items)
      .set(moved)
      .where(and(eq(items.agencyId, scope.agencyId), eq(items.customerId, previousId)));
    await tx
      .update(escalations)
      .set({ customerId: target.id })
      .where(and(eq(escalations.agencyId, scope.agencyId), eq(escalations.customerId, previousId)));
    await tx.delete(customers).where(and(eq(customers.id, previousId), eq(customers.agencyId, scope.agencyId)));
  }
  if (!identity) {
    await tx.insert(customerIdentities).values({
      agencyId: scope.agencyId,
      clientId: item.clientId,
      customerId: target.id,
      channelId: item.channelId,
      platform: channel.platform,
      externalAuthorId: item.authorExternalId,
      handle: item.authorHandle,
    });
  }
  await tx
    .update(items)
    .set({ customerId: target.id, updatedAt: now })
    .where(and(eq(items.id, item.id), eq(items.agencyId, scope.agencyId)));
  await recordAudit(tx, scope, {
    action: "customer.merged",
    subjectType: "customer",
    subjectId: target.id,
    clientId: item.clientId,
    before: { itemId: item.id, customer: before },
    after: { itemId: item.id, customer: await findCustomer(scope, tx, target.id) },
    protocolVersionId: item.protocolVersionId,
  });
  await announceItemChange(tx, item);
  return getModerationItemDetail(scope, tx, { itemId: item.id }, deps);
}
