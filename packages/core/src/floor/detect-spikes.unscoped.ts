/**
 * Spike detection across agencies (deliberately unscoped: it lists the agencies, then works inside each one's tenant
 * transaction). The API process's spike watcher calls `detectSpikes` every few seconds (remembering each agency's
 * usual arrivals for minutes, `rememberUsualArrivals`); the rule is spike-rule.ts.
 *
 * For each active client with a week of history: the items of the last `windowMinutes` against its usual count for
 * that window (the staffing forecast). A spike that starts is stored (`volume_spikes`, one open per client), audited,
 * announced to consoles (their banner), noticed to the agency's leads (owners and admins) and posted to the first
 * level of the client's active playbooks (e-mail and signed webhook, after commit); while it lasts its peak is kept;
 * when the rate returns it ends with a "spike over" notice the same way. Several processes may run it at once: an
 * agency's looks take turns (a transaction-level advisory lock), and the open spike is unique per client, so each
 * spike is raised and ended once.
 */
import { type Database, type Executor, schema, withTenant } from "@parley/db";
import { and, eq, inArray, isNull, sql } from "drizzle-orm";
import { type Notifier, type OutboundNotice, playbookDutyNotices, sendNotices } from "../kernel/outbound-notices";
import { publishLiveEvent } from "../kernel/publish-live-event";
import { countArrivals } from "../staffing/arrival-history";
import { plannedClientsOf } from "../staffing/staffing-scope";
import { judgeSpike, perHour, type SpikeRule, spikeItemsCountedTo, spikeRule, usualInWindow } from "./spike-rule";
import { forecastUsualArrivals, type UsualArrivalsSource } from "./usual-rate";

const { agencies, auditEvents, memberships, notifications, volumeSpikes } = schema;

export type SpikeChangeKind = "client.spike_started" | "client.spike_ended";

export interface SpikeChange {
  kind: SpikeChangeKind;
  agencyId: string;
  clientId: string;
  spikeId: string;
  /** Items per hour over the window, and the usual rate for it. */
  ratePerHour: number;
  usualPerHour: number;
}

/** The owners and admins of an agency: the leads who hear of a spike. */
async function findLeads(tx: Executor, agencyId: string): Promise<string[]> {
  const rows = await tx
    .select({ userId: memberships.userId })
    .from(memberships)
    .where(and(eq(memberships.agencyId, agencyId), inArray(memberships.role, ["owner", "admin"])));
  return rows.map((row) => row.userId);
}

const rounded = (rate: number) => Math.round(rate);
/** A rate as the notices' text writes it: whole items, thousands separated (27,984). */
const written = (rate: number) => rounded(rate).toLocaleString("en-GB");

/** The notice of a change: in-app to the leads, audited, announced, and the playbook contacts' notices returned. */
async function announceSpike(
  tx: Executor,
  change: SpikeChange & { clientName: string; at: Date; startedAt: Date },
): Promise<OutboundNotice[]> {
  const started = change.kind === "client.spike_started";
  const title = started
    ? `Spike on ${change.clientName}: ${written(change.ratePerHour)} items/h, usually ${written(change.usualPerHour)}/h`
    : `Spike over on ${change.clientName}: back to ${written(change.ratePerHour)} items/h`;
  const body = started
    ? `${change.clientName} is receiving ${written(change.ratePerHour)} items an hour (over the last ${spikeRule.windowMinutes} minutes) where ${written(change.usualPerHour)} an hour is usual at this hour of the week. See the floor view for the queue and who is on it.`
    : `${change.clientName}'s incoming rate is back to ${written(change.ratePerHour)} items an hour (usually ${written(change.usualPerHour)}/h); the spike lasted from ${change.startedAt.toISOString()} to ${change.at.toISOString()}.`;
  const leads = await findLeads(tx, change.agencyId);
  if (leads.length > 0) {
    await tx.insert(notifications).values(
      leads.map((userId) => ({
        agencyId: change.agencyId,
        clientId: change.clientId,
        recipientUserId: userId,
        kind: change.kind,
        subjectType: "volume_spike",
        subjectId: change.spikeId,
        title,
        body,
        createdAt: change.at,
      })),
    );
  }
  const notices = await playbookDutyNotices(tx, {
    agencyId: change.agencyId,
    clientId: change.clientId,
    title,
    body,
    payload: {
      type: change.kind,
      spikeId: change.spikeId,
      clientId: change.clientId,
      startedAt: change.startedAt.toISOString(),
      at: change.at.toISOString(),
      ratePerHour: rounded(change.ratePerHour),
      usualPerHour: rounded(change.usualPerHour),
      title,
      body,
    },
  });
  // A system action (no actor), as the outbox writes its own.
  await tx.insert(auditEvents).values({
    agencyId: change.agencyId,
    clientId: change.clientId,
    action: change.kind,
    subjectType: "volume_spike",
    subjectId: change.spikeId,
    after: {
      ratePerHour: change.ratePerHour,
      usualPerHour: change.usualPerHour,
      notified: leads.length,
      playbookNotices: notices.length,
    },
  });
  await publishLiveEvent(tx, { type: "queue.changed", agencyId: change.agencyId, clientId: change.clientId });
  return notices;
}

/**
 * One agency's look at `now`, inside its tenant transaction: starts, keeps and ends its clients' spikes. Returns the
 * changes and the notices to send once committed.
 */
export async function judgeAgencySpikes(
  tx: Executor,
  input: { agencyId: string; now: Date; rule?: SpikeRule; usualArrivals?: UsualArrivalsSource },
): Promise<{ changes: SpikeChange[]; notices: OutboundNotice[] }> {
  const { agencyId, now } = input;
  const rule = input.rule ?? spikeRule;
  await tx.execute(sql`select pg_advisory_xact_lock(hashtextextended(${`parley:volume-spikes:${agencyId}`}, 0))`);
  const scope = { agencyId, clientIds: null };
  const clients = await plannedClientsOf(scope, tx);
  const clientIds = clients.map((client) => client.id);
  const window = { from: now.getTime() - rule.windowMinutes * 60_000, to: now.getTime() };
  const usualArrivals = await (input.usualArrivals ?? forecastUsualArrivals)(scope, tx, {
    clients,
    from: window.from,
    now,
  });
  const observed = await countArrivals(scope, tx, { clientIds, from: new Date(window.from), to: now });
  const open = new Map(
    (
      await tx
        .select()
        .from(volumeSpikes)
        .where(and(eq(volumeSpikes.agencyId, agencyId), isNull(volumeSpikes.endedAt)))
    ).map((spike) => [spike.clientId, spike]),
  );
  const changes: SpikeChange[] = [];
  const notices: OutboundNotice[] = [];
  for (const client of clients) {
    const arrivals = usualArrivals.get(client.id);
    // Less than a week of history: no usual rate for this hour of the week yet.
    if (!arrivals) continue;
    const usual = usualInWindow(arrivals, window);
    const count = observed.get(client.id) ?? 0;
    const spike = open.get(client.id);
    const decision = judgeSpike({ observed: count, usual, open: spike !== undefined, rule });
    const ratePerHour = perHour(count, rule.windowMinutes);
    const usualPerHour = perHour(usual, rule.windowMinutes);
    if (decision === "start") {
      const [created] = await tx
        .insert(volumeSpikes)
        .values({
          agencyId,
          clientId: client.id,
          startedAt: now,
          usualPerHour,
          startRatePerHour: ratePerHour,
          peakRatePerHour: ratePerHour,
          lastRatePerHour: ratePerHour,
          items: count,
          updatedAt: now,
        })
        .onConflictDoNothing()
        .returning({ id: volumeSpikes.id });
      if (!created) continue;
      const change: SpikeChange = {
        kind: "client.spike_started",
        agencyId,
        clientId: client.id,
        spikeId: created.id,
        ratePerHour,
        usualPerHour,
      };
      changes.push(change);
      notices.push(...(await announceSpike(tx, { ...change, clientName: client.name, at: now, startedAt: now })));
    } else if (spike && (decision === "continue" || decision === "end")) {
      // Its items are a recount from the window that started it, taken at the first look of each new minute of the
      // spike (up to that minute's start, `spikeItemsCountedTo`: the floor adds the items since) and at its end, not
      // at every look of a watcher looking every few seconds. A look never moves `updatedAt` back.
      const lookedAt = now > spike.updatedAt ? now : spike.updatedAt;
      const countedTo =
        decision === "end" ? now : spikeItemsCountedTo({ startedAt: spike.startedAt, updatedAt: lookedAt });
      const since =
        decision === "end" || countedTo > spikeItemsCountedTo(spike)
          ? await countArrivals(scope, tx, {
              clientIds: [client.id],
              from: new Date(spike.startedAt.getTime() - rule.windowMinutes * 60_000),
              to: countedTo,
            })
          : null;
      const [updated] = await tx
        .update(volumeSpikes)
        .set({
          lastRatePerHour: ratePerHour,
          usualPerHour,
          peakRatePerHour: Math.max(spike.peakRatePerHour, ratePerHour),
          items: since?.get(client.id) ?? spike.items,
          updatedAt: lookedAt,
          ...(decision === "end" ? { endedAt: now } : {}),
        })
        .where(and(eq(volumeSpikes.id, spike.id), eq(volumeSpikes.agencyId, agencyId), isNull(volumeSpikes.endedAt)))
        .returning({ id: volumeSpikes.id });
      if (!updated || decision !== "end") continue;
      const change: SpikeChange = {
        kind: "client.spike_ended",
        agencyId,
        clientId: client.id,
        spikeId: spike.id,
        ratePerHour,
        usualPerHour,
      };
      changes.push(change);
      notices.push(
        ...(await announceSpike(tx, { ...change, clientName: client.name, at: now, startedAt: spike.startedAt })),
      );
    }
  }
  return { changes, notices };
}

/**
 * One look across every agency at `now`: each agency in its own tenant transaction, its notices sent after commit.
 * An agency that fails goes to `onError` (without it, the first failure is thrown) and the others still run.
 */
export async function detectSpikes(
  db: Database,
  input: {
    now: Date;
    notifier?: Notifier;
    rule?: SpikeRule;
    /** Where the clients' usual arrivals come from (default: fitted at each look; a watcher remembers them). */
    usualArrivals?: UsualArrivalsSource;
    onError?: (error: unknown, agencyId: string) => void;
    onNoticeError?: (error: unknown, notice: OutboundNotice) => void;
  },
): Promise<SpikeChange[]> {
  const rows = await db.select({ id: agencies.id }).from(agencies).orderBy(agencies.id);
  const changes: SpikeChange[] = [];
  for (const agency of rows) {
    try {
      const outcome = await withTenant(db, { agencyId: agency.id, clientIds: null }, (tx) =>
        judgeAgencySpikes(tx, {
          agencyId: agency.id,
          now: input.now,
          rule: input.rule,
          usualArrivals: input.usualArrivals,
        }),
      );
      changes.push(...outcome.changes);
      await sendNotices(input.notifier, outcome.notices, input.onNoticeError);
    } catch (error) {
      if (!input.onError) throw error;
      input.onError(error, agency.id);
    }
  }
  return changes;
}
