/**
 * An item's SLA as the item view and the hand-over packet show it: every clock (running or stopped) with its state,
 * where its target came from, the calendar in words when closed, and the targets its contract leaves out — with the
 * client's name and time zone, in which the screens show every time (zone named).
 */
import type { ClockTarget } from "@parley/contracts/billing";
import { type Executor, schema } from "@parley/db";
import { and, asc, eq } from "drizzle-orm";
import type { Priority } from "../protocols/protocol-document";
import type { ClockMetric } from "./advance-clock";
import { type ClockState, calendarOfClock, clockColumns, clockStateOf, parsePauses } from "./clock-rows";
import { type ContractClockTerms, clockTermsAt } from "./clock-terms";
import { clockSourceOf, closedHoursOf, targetsLeftOut } from "./clock-words";

const { agencies, clients, contracts, slaClocks } = schema;

export interface ItemClockView {
  metric: ClockMetric;
  targetMinutes: number;
  calendarKind: "24x7" | "business_hours";
  /** At `at`; a running business-hours clock outside the client's hours is `paused`, with `note` saying why. */
  state: ClockState;
  startedAt: Date;
  dueAt: Date;
  stoppedAt: Date | null;
  breachedAt: Date | null;
  /** "paused — outside Cobalt Bank's hours, opens Mon 09:00 Europe/Berlin"; "paused — waiting on the client". */
  note: string | null;
}

export interface ItemSlaView {
  at: Date;
  clientName: string;
  /** The client's IANA zone: the screens show every time of the item's clocks in it, named. */
  timeZone: string;
  /** Where the targets came from: "Cobalt Bank's contract" or "agency default (no contract)". */
  source: string;
  clocks: ItemClockView[];
  /** "No first-response target for P3 in Cobalt Bank's contract": why a metric has no clock on this item. */
  withoutTarget: string[];
}

/**
 * The SLA of one item (of the caller's tenant, already read in scope) at `now`. The source is the one its clocks
 * started under; an item without clocks is judged by the terms in force at its arrival (the contract then, else the
 * agency's default policy). The brand's own messages have no SLA: null.
 */
export async function getItemSla(
  tx: Executor,
  {
    item,
    now,
  }: {
    item: { id: string; agencyId: string; clientId: string; priority: Priority; receivedAt: Date; byBrand: boolean };
    now: Date;
  },
): Promise<ItemSlaView | null> {
  if (item.byBrand) return null;
  const [client] = await tx
    .select({ name: clients.name, timeZone: clients.timeZone, slaPolicy: agencies.slaPolicy })
    .from(clients)
    .innerJoin(agencies, eq(agencies.id, clients.agencyId))
    .where(and(eq(clients.agencyId, item.agencyId), eq(clients.id, item.clientId)));
  if (!client) return null;
  const rows = await tx
    .select(clockColumns)
    .from(slaClocks)
    .where(and(eq(slaClocks.agencyId, item.agencyId), eq(slaClocks.itemId, item.id)))
    .orderBy(asc(slaClocks.metric));
  const contractRows = await tx
    .select({ id: contracts.id, validFrom: contracts.validFrom, validTo: contracts.validTo, terms: contracts.terms })
    .from(contracts)
    .where(and(eq(contracts.agencyId, item.agencyId), eq(contracts.clientId, item.clientId)));
  const terms: ContractClockTerms[] = contractRows.map((row) => ({
    id: row.id,
    validFrom: row.validFrom,
    validTo: row.validTo,
    slaTargets: (row.terms as { slaTargets?: ClockTarget[] }).slaTargets ?? [],
  }));
  const policy = client.slaPolicy as ClockTarget[];
  // The clocks say which source they started on; without clocks, the terms in force at arrival.
  const started = rows[0];
  const contractId = started
    ? started.contractId
    : clockTermsAt({ contracts: terms, policy, timeZone: client.timeZone, at: item.receivedAt }).contractId;
  const targets = contractId ? (terms.find((contract) => contract.id === contractId)?.slaTargets ?? []) : policy;
  const source = clockSourceOf({ contractId, clientName: client.name });
  const clocks = rows.map((row): ItemClockView => {
    const state = clockStateOf(row, now);
    const waiting = parsePauses(row.pauses).some((pause) => !pause.endedAt);
    const closed =
      state === "running" || state === "at_risk"
        ? row.calendarKind === "business_hours"
          ? closedHoursOf(calendarOfClock(row), client.name, now)
          : null
        : null;
    return {
      metric: row.metric,
      targetMinutes: row.targetMinutes,
      calendarKind: row.calendarKind,
      state: closed ? "paused" : state,
      startedAt: row.startedAt,
      dueAt: row.dueAt,
      stoppedAt: row.stoppedAt,
      breachedAt: row.breachedAt,
      note: closed?.note ?? (waiting && state === "paused" ? "paused — waiting on the client" : null),
    };
  });
  return {
    at: now,
    clientName: client.name,
    timeZone: client.timeZone,
    source,
    clocks,
    withoutTarget: targetsLeftOut({
      priority: started?.priority ?? item.priority,
      targets,
      source,
      clocked: rows.map((row) => row.metric),
    }),
  };
}
