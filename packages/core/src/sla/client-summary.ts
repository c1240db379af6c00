import { uuid } from "@parley/contracts";
import { type Executor, schema } from "@parley/db";
import { and, eq, gte, inArray, isNull, not, sql } from "drizzle-orm";
import type { AnyPgColumn } from "drizzle-orm/pg-core";
import { z } from "zod";
import { getClient } from "../agencies/clients";
import { type Clock, systemClock } from "../kernel/clock";
import type { Scope } from "../kernel/scope";

const { escalations, replies, items } = schema;

export const clientSummaryInput = z.object({ clientId: uuid });
export type ClientSummaryInput = z.infer<typeof clientSummaryInput>;

/** The portal's summary strip beside the month's compliance (`sla.month`): what waits for the client, and today. */
export interface ClientSummary {
  clientId: string;
  at: Date;
  timeZone: string;
  /**
   * Escalations open or acknowledged: the client still owes an answer. One incident's rolled-up escalations count once,
   * as the portal lists them (answering that one answers them all).
   */
  openEscalations: number;
  /** Drafts the protocol sends to the client for approval, waiting for a decision. */
  awaitingApproval: number;
  /** Customers' items that arrived since midnight in the client's time zone (the brand's own posts not counted). */
  receivedToday: number;
}

export async function getClientSummary(
  scope: Scope,
  tx: Executor,
  input: ClientSummaryInput,
  deps: { now?: Clock } = {},
): Promise<ClientSummary> {
  const client = await getClient(scope, tx, input.clientId);
  const at = (deps.now ?? systemClock)();
  const ofClient = (table: { agencyId: AnyPgColumn; clientId: AnyPgColumn }) =>
    and(eq(table.agencyId, scope.agencyId), eq(table.clientId, client.id));
  const midnight = sql`(date_trunc('day', ${at.toISOString()}::timestamptz at time zone ${client.timeZone})
    at time zone ${client.timeZone})`;
  const [open] = await tx
    .select({ count: sql<number>`count(*)::int` })
    .from(escalations)
    .where(
      and(
        ofClient(escalations),
        inArray(escalations.status, ["open", "acknowledged"]),
        isNull(escalations.rolledUpIntoId),
      ),
    );
  const [waiting] = await tx
    .select({ count: sql<number>`count(*)::int` })
    .from(replies)
    .where(and(ofClient(replies), eq(replies.status, "pending_approval"), eq(replies.requiresApproval, "client")));
  const [today] = await tx
    .select({ count: sql<number>`count(*)::int` })
    .from(items)
    .where(
      and(
        ofClient(items),
        not(items.byBrand),
        gte(items.receivedAt, midnight),
        sql`${items.receivedAt} <= ${at.toISOString()}::timestamptz`,
      ),
    );
  return {
    clientId: client.id,
    at,
    timeZone: client.timeZone,
    openEscalations: open?.count ?? 0,
    awaitingApproval: waiting?.count ?? 0,
    receivedToday: today?.count ?? 0,
  };
}
