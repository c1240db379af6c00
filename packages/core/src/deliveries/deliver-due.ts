import type { OutboundAction, OutboundOutcome, OutboundRequest } from "@parley/contracts";
import { type Database, schema, withTenant } from "@parley/db";
import { and, eq, sql } from "drizzle-orm";
import { decryptChannelSecrets } from "../agencies/channels";
import { type Clock, systemClock } from "../kernel/clock";
import { type Notifier, type OutboundNotice, sendNotices } from "../kernel/outbound-notices";
import { publishLiveEvent } from "../kernel/publish-live-event";
import { isRetryableConflict } from "../kernel/retryable-conflict";
import type { SecretBox } from "../kernel/secret-box";
import { stopFirstResponseClock } from "../sla/clock-lifecycle";
import { trackChannelHealth } from "./channel-incidents";

const { outboundDeliveries, replies, items, channels, auditEvents } = schema;

export const maxDeliveryAttempts = 6;
const retryBaseSeconds = 30;
/** How long a claimed delivery is left to its sender before another process may take it over. */
const defaultLeaseSeconds = 120;
export const defaultBatchSize = 20;
/** Tries at recording one outcome when PostgreSQL aborts it for a deadlock or a serialization failure. */
const recordAttempts = 4;

export type SendOutbound = (request: OutboundRequest) => Promise<OutboundOutcome>;

export interface DeliveryDeps {
  send: SendOutbound;
  secretBox: SecretBox;
  now?: Clock;
  leaseSeconds?: number;
  batchSize?: number;
  /** Told of every recorded attempt (the API process logs failures and counts them in its metrics). */
  onOutcome?: (outcome: DeliveryOutcome) => void;
  /** Sends a channel incident's e-mails and webhook posts to the client's playbook contacts; omitted, none are sent. */
  notifier?: Notifier;
  onNoticeError?: (error: unknown, notice: OutboundNotice) => void;
  /**
   * Aborted when the process shuts down: a sweep ends after the batch it is sending, and what is still due stays
   * pending for the next sweep (of this process after a restart, or of another).
   */
  stopping?: AbortSignal;
}

/** One recorded attempt of a delivery: ids, the verdict and the platform's reason — never the reply's text. */
export interface DeliveryOutcome {
  deliveryId: string;
  agencyId: string;
  clientId: string;
  channelId: string;
  platform: string;
  action: OutboundAction;
  attempts: number;
  verdict: DeliveryVerdict;
  error: string | null;
}

export interface DeliveryRun {
  sent: number;
  retrying: number;
  failed: number;
}

/** Seconds to wait after the n-th failed attempt: 30 s, 1 min, 2 min, 4 min, 8 min. */
export function retryDelaySeconds(attempts: number): number {
  return retryBaseSeconds * 2 ** Math.max(0, attempts - 1);
}

export interface ClaimedDelivery {
  request: OutboundRequest;
  /** Why the delivery cannot be sent at all (its channel's secrets do not decrypt): it fails without sending. */
  problem: string | null;
  agencyId: string;
  clientId: string;
  attempts: number;
  protocolVersionId: string | null;
}

/**
 * Takes up to `limit` due deliveries of the agency for this process, round-robin across its clients (each client's
 * oldest first, then each client's second…), so one client's backlog does not hold back another's: each gets one
 * more attempt and is leased (due again only when the lease runs out), and the transaction commits before anything
 * is sent, so a second process skips the locked rows and then sees them not due.
 */
export async function claimDueDeliveries(
  db: Database,
  agencyId: string,
  deps: DeliveryDeps,
  options: { now: Date; limit: number },
): Promise<ClaimedDelivery[]> {
  const { now } = options;
  const leaseUntil = new Date(now.getTime() + (deps.leaseSeconds ?? defaultLeaseSeconds) * 1000);
  return withTenant(db, { agencyId, clientIds: null }, async (tx) => {
    const claimed = await tx.execute<{ id: string }>(sql`
      with ranked as (
        select id, next_attempt_at,
          row_number() over (partition by client_id order by next_attempt_at, id) as client_rank
        from ${outboundDeliveries}
        where agency_id = ${agencyId} and status = 'pending' and next_attempt_at <= ${now.toISOString()}::timestamptz),
      due as (
        -- The limit applies to the rows this process could lock: picked first, a batch that another process was
        -- leasing at that moment came back short or empty, and the run ended with due deliveries left for the next
        -- sweep (13 of 30 sent by three runs at once).
        select o.id from ${outboundDeliveries} as o
        join ranked on ranked.id = o.id
        where o.agency_id = ${agencyId} and o.status = 'pending'
          and o.next_attempt_at <= ${now.toISOString()}::timestamptz
        order by ranked.client_rank, ranked.next_attempt_at, ranked.id
        limit ${options.limit}
        for update of o skip locked)
      update ${outboundDeliveries} set attempts = attempts + 1,
        next_attempt_at = ${leaseUntil.toISOString()}::timestamptz, updated_at = ${now.toISOString()}::timestamptz
      from due where ${outboundDeliveries}.id = due.id
      returning ${outboundDeliveries}.id`);
    if (claimed.length === 0) return [];
    const rows = await tx
      .select({ delivery: outboundDeliveries, item: items, channel: channels, reply: replies })
      .from(outboundDeliveries)
      .innerJoin(items, eq(items.id, outboundDeliveries.itemId))
      .innerJoin(channels, eq(channels.id, outboundDeliveries.channelId))
      .leftJoin(replies, eq(replies.id, outboundDeliveries.replyId))
      .where(
        and(
          eq(outboundDeliveries.agencyId, agencyId),
          sql`${outboundDeliveries.id} = any(array(select jsonb_array_elements_text(${JSON.stringify(
            claimed.map((row) => row.id),
          )}::jsonb)::uuid))`,
        ),
      );
    return rows.map(({ delivery, item, channel, reply }) => {
      const { problem, ...secrets } = decryptChannelSecrets(deps.secretBox, channel);
      return {
        agencyId,
        problem,
        clientId: delivery.clientId,
        attempts: delivery.attempts,
        protocolVersionId: reply?.protocolVersionId ?? item.protocolVersionId,
        request: {
          deliveryId: delivery.id,
          action: delivery.action,
          channel: {
            id: channel.id,
            platform: channel.platform,
            externalAccountId: channel.externalAccountId,
            ...secrets,
          },
          item: {
            id: item.id,
            externalId: item.externalId,
            kind: item.kind,
            threadExternalId: item.threadExternalId,
            aliasExternalId: item.aliasExternalId,
            url: item.url,
          },
          reply: reply ? { id: reply.id, body: reply.body } : null,
        },
      };
    });
  });
}

async function sendSafely(send: SendOutbound, delivery: ClaimedDelivery): Promise<OutboundOutcome> {
  if (delivery.problem) return { ok: false, retryable: false, error: delivery.problem };
  try {
    return await send(delivery.request);
  } catch (error) {
    return { ok: false, retryable: true, error: error instanceof Error ? error.message : String(error) };
  }
}

export type DeliveryVerdict = "sent" | "retrying" | "failed";

type RecordedOutcome = { verdict: DeliveryVerdict; notices: OutboundNotice[] } | null;

/**
 * Records what the platform answered. Only the attempt that holds the lease may: if the lease ran out and
 * another process took the delivery over, this outcome is dropped (theirs counts). The recording transaction
 * (never the send) runs again when PostgreSQL aborts it for a deadlock or a serialization failure: an outcome
 * left unrecorded would leave the delivery leased, and it would be sent a second time once the lease runs out.
 */
async function recordOutcome(
  db: Database,
  claimed: ClaimedDelivery,
  outcome: OutboundOutcome,
  now: Date,
): Promise<RecordedOutcome> {
  for (let attempt = 1; ; attempt += 1) {
    try {
      return await recordOutcomeOnce(db, claimed, outcome, now);
    } catch (error) {
      if (attempt >= recordAttempts || !isRetryableConflict(error)) throw error;
    }
  }
}

async function recordOutcomeOnce(
  db: Database,
  claimed: ClaimedDelivery,
  outcome: OutboundOutcome,
  now: Date,
): Promise<RecordedOutcome> {
  const verdict: DeliveryVerdict = outcome.ok
    ? "sent"
    : outcome.retryable && claimed.attempts < maxDeliveryAttempts
      ? "retrying"
      : "failed";
  const { request } = claimed;
  return withTenant(db, { agencyId: claimed.agencyId, clientIds: null }, async (tx) => {
    const [delivery] = await tx
      .update(outboundDeliveries)
      .set({
        status: verdict === "retrying" ? "pending" : verdict,
        nextAttemptAt:
          verdict === "retrying" ? new Date(now.getTime() + retryDelaySeconds(claimed.attempts) * 1000) : now,
        lastError: outcome.ok ? null : outcome.error,
        result: outcome.ok ? { externalId: outcome.externalId } : null,
        updatedAt: now,
      })
      .where(
        and(
          eq(outboundDeliveries.id, request.deliveryId),
          eq(outboundDeliveries.agencyId, claimed.agencyId),
          eq(outboundDeliveries.status, "pending"),
          eq(outboundDeliveries.attempts, claimed.attempts),
        ),
      )
      .returning();
    if (!delivery) return null;
    let echoItemId: string | null = null;
    if (request.reply && verdict !== "retrying") {
      const [reply] = await tx
        .update(replies)
        .set(
          outcome.ok
            ? { status: "sent", externalId: outcome.externalId, sentAt: now, failureReason: null, updatedAt: now }
            : { status: "failed", failureReason: outcome.error, updatedAt: now },
        )
        .where(and(eq(replies.id, request.reply.id), eq(replies.agencyId, claimed.agencyId)))
        .returning({ kind: replies.kind });
      // A delivered answer or follow-up is the brand's first response; an acknowledgement if the contract says so.
      if (outcome.ok && reply) await stopFirstResponseClock(tx, { itemId: delivery.itemId, at: now, kind: reply.kind });
      if (outcome.ok && outcome.externalId) {
        // The platform's echo of the reply may have arrived before its answer (ingest matches the other order).
        const [echoed] = await tx.execute<{ echo_item_id: string }>(sql`
          update ${outboundDeliveries} set echo_item_id = echo.id, echoed_at = echo.received_at
          from ${items} as echo
          where ${outboundDeliveries.id} = ${delivery.id} and ${outboundDeliveries.agencyId} = ${claimed.agencyId}
            and echo.agency_id = ${claimed.agencyId} and echo.channel_id = ${delivery.channelId}
            and echo.external_id = ${outcome.externalId} and echo.by_brand
          returning ${outboundDeliveries.echoItemId} as echo_item_id`);
        echoItemId = echoed?.echo_item_id ?? null;
      }
      await publishLiveEvent(tx, {
        type: "reply.changed",
        agencyId: claimed.agencyId,
        clientId: claimed.clientId,
        subjectId: request.reply.id,
      });
    }
    const health = await trackChannelHealth(tx, {
      agencyId: claimed.agencyId,
      clientId: claimed.clientId,
      channelId: request.channel.id,
      ok: outcome.ok,
      permanent: !outcome.ok && !outcome.retryable,
      error: outcome.ok ? null : outcome.error,
      now,
    });
    // A system action (no actor): recordAudit takes a signed-in scope, so the row is written here.
    await tx.insert(auditEvents).values({
      agencyId: claimed.agencyId,
      clientId: claimed.clientId,
      action: `delivery.${verdict}`,
      subjectType: "delivery",
      subjectId: delivery.id,
      before: { status: "pending", attempts: claimed.attempts - 1 },
      after: {
        status: delivery.status,
        action: delivery.action,
        itemId: delivery.itemId,
        replyId: delivery.replyId,
        attempts: delivery.attempts,
        lastError: delivery.lastError,
        result: delivery.result,
        ...(echoItemId ? { echoItemId } : {}),
      },
      protocolVersionId: claimed.protocolVersionId,
    });
    await publishLiveEvent(tx, {
      type: "item.changed",
      agencyId: claimed.agencyId,
      clientId: claimed.clientId,
      subjectId: delivery.itemId,
    });
    return { verdict, notices: health.notices };
  });
}

/** Sends claimed deliveries at once (outside any transaction) and records each outcome; counts the verdicts. */
export async function sendClaimedDeliveries(
  db: Database,
  claimed: readonly ClaimedDelivery[],
  deps: DeliveryDeps,
  run: DeliveryRun,
): Promise<void> {
  const verdicts = await Promise.all(
    claimed.map(async (delivery) => {
      const outcome = await sendSafely(deps.send, delivery);
      const recorded = await recordOutcome(db, delivery, outcome, (deps.now ?? systemClock)());
      const verdict = recorded?.verdict ?? null;
      // A channel incident opened or cleared: its e-mails and webhook posts go out now the outcome has committed.
      if (recorded) await sendNotices(deps.notifier, recorded.notices, deps.onNoticeError);
      if (verdict) {
        const { request } = delivery;
        deps.onOutcome?.({
          deliveryId: request.deliveryId,
          agencyId: delivery.agencyId,
          clientId: delivery.clientId,
          channelId: request.channel.id,
          platform: request.channel.platform,
          action: request.action,
          attempts: delivery.attempts,
          verdict,
          error: outcome.ok ? null : outcome.error,
        });
      }
      return verdict;
    }),
  );
  for (const verdict of verdicts) if (verdict) run[verdict] += 1;
}

/**
 * Carries out the agency's due deliveries on the platforms: claims a batch (committed before sending), sends
 * each over HTTP outside any transaction, then records it `sent` (a reply becomes `sent` with the platform's
 * id) or failed — retried with exponential backoff, and after `maxDeliveryAttempts` (or a failure a retry
 * cannot fix) `failed`, with the reason on the delivery and its reply. Nothing is dropped; two processes never
 * send the same delivery at once.
 */
export async function deliverDue(db: Database, input: { agencyId: string }, deps: DeliveryDeps): Promise<DeliveryRun> {
  const run: DeliveryRun = { sent: 0, retrying: 0, failed: 0 };
  const limit = deps.batchSize ?? defaultBatchSize;
  while (!deps.stopping?.aborted) {
    const now = (deps.now ?? systemClock)();
    const claimed = await claimDueDeliveries(db, input.agencyId, deps, { now, limit });
    if (claimed.length === 0) return run;
    await sendClaimedDeliveries(db, claimed, deps, run);
    if (claimed.length < limit) return run;
  }
  return run;
}
