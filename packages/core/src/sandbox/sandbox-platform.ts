import { AppError, outboundActions, uuid } from "@parley/contracts";
import { type Database, type Executor, schema, withTenant } from "@parley/db";
import { and, asc, eq } from "drizzle-orm";
import { z } from "zod";
import { type Clock, systemClock } from "../kernel/clock";
import { assertAllowed } from "../kernel/permissions";
import type { Scope } from "../kernel/scope";
import { ingestChannelItems } from "../moderation/ingest-channel.unscoped";
import type { IngestItemEvent } from "../moderation/ingest-items";
import { maskPersonalData } from "../protocols/mask-personal-data";

const { sandboxPosts, channels, clients } = schema;

/*
 * The sandbox platform: what a real platform does for a channel, played by Parley itself. Its deliveries arrive
 * over HTTP at the sandbox endpoint (signed like a generic channel's callback) and change the sandbox's public page
 * (`sandbox_posts`); customers' comments posted on that page reach Parley as ingest, and the brand's replies come
 * back as the platform's echo, exactly as a webhook would bring them.
 */

/** The channel a sandbox call is for: known from the signed request before any tenant is set. */
export interface SandboxChannel {
  id: string;
  agencyId: string;
  clientId: string;
}

/** What a sandbox channel's delivery carries: the generic callback's JSON (see connectors' `sendGeneric`). */
export const sandboxActionInput = z.object({
  deliveryId: uuid,
  action: z.enum(outboundActions, { error: `must be one of ${outboundActions.join(", ")}` }),
  channelId: uuid,
  item: z.object({ id: uuid, externalId: z.string().min(1).max(512), threadExternalId: z.string().nullable() }),
  reply: z.object({ id: uuid, text: z.string().min(1).max(10_000) }).nullable(),
});
export type SandboxActionInput = z.infer<typeof sandboxActionInput>;

/** A customer's comment on a sandbox channel's public page (`replyTo`: the post it answers). */
export const sandboxCommentInput = z.object({
  author: z.string().trim().min(1, { message: "is required" }).max(80, { message: "must be at most 80 characters" }),
  text: z.string().trim().min(1, { message: "is required" }).max(5000, { message: "must be at most 5000 characters" }),
  replyTo: z.string().min(1).max(512).optional(),
});
export type SandboxCommentInput = z.infer<typeof sandboxCommentInput>;

export type SandboxActionResult = { ok: true; id: string | null } | { ok: false; status: 404; message: string };

/** A post as the sandbox's public page shows it. */
export interface SandboxPostView {
  externalId: string;
  parentExternalId: string | null;
  authorName: string;
  byBrand: boolean;
  body: string;
  state: "visible" | "hidden" | "deleted";
  postedAt: Date;
}

export interface SandboxPageView {
  channel: { id: string; clientId: string; clientName: string; displayName: string };
  posts: SandboxPostView[];
}

/** A post on a sandbox's page, as `recordSandboxPosts` writes it. */
type SandboxPostInput = SandboxChannel & {
  externalId: string;
  parentExternalId?: string | null;
  authorName: string;
  byBrand?: boolean;
  body: string;
  postedAt: Date;
};

/**
 * Writes posts on sandbox pages in one statement, in the caller's transaction (card numbers and IBANs masked, as
 * ingest does); a post the page already holds is kept.
 */
export async function recordSandboxPosts(tx: Executor, posts: readonly SandboxPostInput[]): Promise<void> {
  if (posts.length === 0) return;
  await tx
    .insert(sandboxPosts)
    .values(
      posts.map((post) => ({
        agencyId: post.agencyId,
        clientId: post.clientId,
        channelId: post.id,
        externalId: post.externalId,
        parentExternalId: post.parentExternalId ?? null,
        authorName: maskPersonalData(post.authorName).text,
        byBrand: post.byBrand ?? false,
        body: maskPersonalData(post.body).text,
        postedAt: post.postedAt,
      })),
    )
    .onConflictDoNothing();
}

const stateAfter = { hide: "hidden", unhide: "visible", delete: "deleted" } as const;

/**
 * Carries out a delivery on the sandbox's page, as the platform would: a reply becomes the brand's post under the
 * item (echoed back to Parley as the brand's item, confirming it is public), a hide, unhide or delete changes the
 * post's state. A post the page does not hold (or a deleted one) is answered 404, as a platform answers.
 */
export async function applySandboxAction(
  db: Database,
  channel: SandboxChannel,
  input: SandboxActionInput,
  deps: { now?: Clock } = {},
): Promise<SandboxActionResult> {
  const now = (deps.now ?? systemClock)();
  const tenant = { agencyId: channel.agencyId, clientIds: [channel.clientId], userId: null };
  const applied = await withTenant(db, tenant, async (tx) => {
    const [target] = await tx
      .select({ state: sandboxPosts.state, brand: channels.displayName })
      .from(sandboxPosts)
      .innerJoin(channels, eq(channels.id, sandboxPosts.channelId))
      .where(
        and(
          eq(sandboxPosts.agencyId, channel.agencyId),
          eq(sandboxPosts.channelId, channel.id),
          eq(sandboxPosts.externalId, input.item.externalId),
        ),
      );
    if (!target || target.state === "deleted") return null;
    if (input.action === "reply") {
      if (!input.reply) return null;
      const externalId = `sandbox-${crypto.randomUUID()}`;
      await recordSandboxPosts(tx, [
        {
          ...channel,
          externalId,
          parentExternalId: input.item.externalId,
          authorName: target.brand,
          byBrand: true,
          body: input.reply.text,
          postedAt: now,
        },
      ]);
      return { externalId, text: input.reply.text, brand: target.brand };
    }
    await tx
      .update(sandboxPosts)
      .set({ state: stateAfter[input.action], updatedAt: now })
      .where(
        and(
          eq(sandboxPosts.agencyId, channel.agencyId),
          eq(sandboxPosts.channelId, channel.id),
          eq(sandboxPosts.externalId, input.item.externalId),
        ),
      );
    return { externalId: null, text: "", brand: target.brand };
  });
  if (!applied) return { ok: false, status: 404, message: "The sandbox page holds no such post" };
  if (applied.externalId) {
    // The platform's webhook for the brand's new post: Parley stores it on the thread and confirms the delivery.
    await ingestChannelItems(
      db,
      { ...channel, platform: "sandbox" },
      [
        {
          op: "upsert",
          item: {
            externalId: applied.externalId,
            kind: "reply",
            parentExternalId: input.item.externalId,
            threadExternalId: input.item.threadExternalId ?? input.item.externalId,
            author: { externalId: `brand-${channel.id}`, handle: "brand", displayName: applied.brand },
            byBrand: true,
            body: applied.text,
            createdAt: now,
          },
        },
      ],
      { now: () => now },
    );
  }
  return { ok: true, id: applied.externalId };
}

/**
 * Items sent to a sandbox channel through the signed REST ingest (the load path: `npm run simulate -- --via ingest`)
 * are posts on its public page, as a real platform's webhook only reports what is on the platform: each upsert is
 * written on the page first (an existing post is kept), so a reply, hide or delete of the item finds it there.
 */
export async function postIngestedOnSandboxPage(
  db: Database,
  channel: SandboxChannel,
  events: readonly IngestItemEvent[],
): Promise<void> {
  const upserts = events.flatMap((event) => (event.op === "upsert" && !event.item.byBrand ? [event.item] : []));
  if (upserts.length === 0) return;
  const tenant = { agencyId: channel.agencyId, clientIds: [channel.clientId], userId: null };
  await withTenant(db, tenant, (tx) =>
    recordSandboxPosts(
      tx,
      upserts.map((item) => ({
        ...channel,
        externalId: item.externalId,
        parentExternalId: item.parentExternalId ?? null,
        authorName: item.author.displayName ?? item.author.handle,
        body: item.body,
        postedAt: item.createdAt,
      })),
    ),
  );
}

/**
 * A customer comments on the sandbox's public page: the post is on the page, and the platform's webhook brings it
 * to Parley as a new item (queued, classified, clocked like any other).
 */
export async function postSandboxComment(
  db: Database,
  channel: SandboxChannel,
  input: SandboxCommentInput,
  deps: { now?: Clock } = {},
): Promise<{ externalId: string; itemId: string | null }> {
  const now = (deps.now ?? systemClock)();
  const externalId = `sandbox-${crypto.randomUUID()}`;
  const tenant = { agencyId: channel.agencyId, clientIds: [channel.clientId], userId: null };
  await withTenant(db, tenant, async (tx) => {
    if (input.replyTo) {
      const [parent] = await tx
        .select({ id: sandboxPosts.id })
        .from(sandboxPosts)
        .where(
          and(
            eq(sandboxPosts.agencyId, channel.agencyId),
            eq(sandboxPosts.channelId, channel.id),
            eq(sandboxPosts.externalId, input.replyTo),
          ),
        );
      if (!parent) {
        throw new AppError("BAD_INPUT", "Invalid input — replyTo: names no post on this page", {
          reason: "validation",
          fields: { replyTo: "names no post on this page" },
        });
      }
    }
    await recordSandboxPosts(tx, [
      {
        ...channel,
        externalId,
        parentExternalId: input.replyTo ?? null,
        authorName: input.author,
        body: input.text,
        postedAt: now,
      },
    ]);
  });
  const handle =
    input.author
      .toLowerCase()
      .replaceAll(/[^a-z0-9]+/g, "_")
      .slice(0, 40) || "customer";
  const event: IngestItemEvent = {
    op: "upsert",
    item: {
      externalId,
      kind: input.replyTo ? "reply" : "comment",
      ...(input.replyTo ? { parentExternalId: input.replyTo, threadExternalId: input.replyTo } : {}),
      author: { externalId: `sandbox-customer-${handle}`, handle, displayName: input.author },
      body: input.text,
      createdAt: now,
    },
  };
  const result = await ingestChannelItems(db, { ...channel, platform: "sandbox" }, [event], { now: () => now });
  return { externalId, itemId: result.items[0]?.id ?? null };
}

export const sandboxPageInput = z.object({ channelId: uuid });

/**
 * A sandbox channel's public page as its customers see it: every post in order — comments, the brand's replies,
 * and the ones hidden or deleted (marked, as the page's owner sees them). NOT_FOUND for a channel that is not a
 * sandbox or that the member may not see.
 */
export async function readSandboxPage(
  scope: Scope,
  tx: Executor,
  input: z.infer<typeof sandboxPageInput>,
): Promise<SandboxPageView> {
  assertAllowed(scope, "viewOperations");
  const [channel] = await tx
    .select({
      id: channels.id,
      clientId: channels.clientId,
      clientName: clients.name,
      displayName: channels.displayName,
      platform: channels.platform,
    })
    .from(channels)
    .innerJoin(clients, and(eq(clients.id, channels.clientId), eq(clients.agencyId, channels.agencyId)))
    .where(and(eq(channels.id, input.channelId), eq(channels.agencyId, scope.agencyId)));
  if (channel?.platform !== "sandbox" || (scope.clientIds && !scope.clientIds.includes(channel.clientId))) {
    throw new AppError("NOT_FOUND", "Sandbox channel not found", { reason: "channel_not_found" });
  }
  const posts = await tx
    .select({
      externalId: sandboxPosts.externalId,
      parentExternalId: sandboxPosts.parentExternalId,
      authorName: sandboxPosts.authorName,
      byBrand: sandboxPosts.byBrand,
      body: sandboxPosts.body,
      state: sandboxPosts.state,
      postedAt: sandboxPosts.postedAt,
    })
    .from(sandboxPosts)
    .where(and(eq(sandboxPosts.agencyId, scope.agencyId), eq(sandboxPosts.channelId, channel.id)))
    .orderBy(asc(sandboxPosts.postedAt), asc(sandboxPosts.id));
  const { platform: _platform, ...view } = channel;
  return { channel: view, posts };
}
