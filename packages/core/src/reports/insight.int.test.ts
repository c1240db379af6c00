import { schema, withTenant } from "@parley/db";
import { createTestDatabase, makeAgency, type TestAgency, type TestDatabase } from "@parley/testing";
import { eq } from "drizzle-orm";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { resolveScope } from "../agencies/me";
import { type Scope, tenantOf } from "../kernel/scope";
import { getClientInsight, getInsight, listInsightItems } from "./insight";

/**
 * Crafted threads in four languages for client A (London), November 2026 against October: who wrote what in which
 * thread, when the brand's reply was confirmed, and when the customer wrote again. The figures are counted by hand
 * in the comments.
 */
let db: TestDatabase;
let a: TestAgency;
const ids: Record<string, string> = {};
const november = { from: "2026-11-01", to: "2026-11-30" };

const as = <T>(scope: Scope, work: Parameters<typeof withTenant<T>>[2]) => withTenant(db.app, tenantOf(scope), work);
async function scopeOf(userId: string): Promise<Scope> {
  const scope = await resolveScope(db.app, { userId, agencyId: a.agency.id });
  if (!scope) throw new Error("not a member");
  return scope;
}

async function message(
  name: string,
  options: { thread: string; author: string; at: string; body: string; client?: "A" | "B" },
): Promise<void> {
  const clientId = options.client === "B" ? a.otherClient.id : a.client.id;
  const channel = a.channels.find((candidate) => candidate.clientId === clientId);
  const [row] = await db.owner
    .insert(schema.items)
    .values({
      agencyId: a.agency.id,
      clientId,
      channelId: channel?.id ?? "",
      externalId: name,
      threadExternalId: options.thread,
      kind: "comment",
      authorExternalId: options.author,
      authorHandle: `@${options.author}`,
      body: options.body,
      createdAt: new Date(options.at),
      receivedAt: new Date(options.at),
    })
    .returning();
  if (!row) throw new Error("item not stored");
  ids[name] = row.id;
}

async function reply(name: string, at: string, status: "sent" | "failed" = "sent"): Promise<void> {
  const [item] = await db.owner
    .select()
    .from(schema.items)
    .where(eqId(ids[name] ?? ""));
  if (!item) throw new Error(`no item ${name}`);
  await db.owner.insert(schema.replies).values({
    agencyId: a.agency.id,
    clientId: item.clientId,
    itemId: item.id,
    channelId: item.channelId,
    body: "We're on it",
    status,
    sentAt: status === "sent" ? new Date(at) : null,
    authorUserId: a.users.moderator.id,
  });
}

const eqId = (id: string) => eq(schema.items.id, id);

beforeAll(async () => {
  db = await createTestDatabase();
  a = await makeAgency(db.owner);
  // English: thanked after the reply. Another customer's thanks in the same thread is their own (unanswered) one.
  await message("en-open", { thread: "T1", author: "u1", at: "2026-11-03T10:00:00Z", body: "My parcel never arrived" });
  await reply("en-open", "2026-11-03T10:30:00Z");
  await message("en-thanks", { thread: "T1", author: "u1", at: "2026-11-03T11:00:00Z", body: "Thank you so much!" });
  await message("en-other", { thread: "T1", author: "u9", at: "2026-11-03T11:05:00Z", body: "Thanks!" });
  // French: purchase intent, answered, thanked.
  await message("fr-open", {
    thread: "T2",
    author: "u2",
    at: "2026-11-05T09:00:00Z",
    body: "Où puis-je acheter ce modèle ?",
  });
  await reply("fr-open", "2026-11-05T09:20:00Z");
  await message("fr-thanks", { thread: "T2", author: "u2", at: "2026-11-05T10:00:00Z", body: "Merci beaucoup !" });
  // German: product feedback, answered, then "thanks for nothing" — not gratitude.
  await message("de-open", {
    thread: "T3",
    author: "u3",
    at: "2026-11-07T12:00:00Z",
    body: "Die App stürzt ständig ab",
  });
  await reply("de-open", "2026-11-07T12:30:00Z");
  await message("de-sarcasm", { thread: "T3", author: "u3", at: "2026-11-07T13:00:00Z", body: "Danke für nichts" });
  // Spanish: thanks before any reply does not count; a later complaint answered and thanked does.
  await message("es-early", {
    thread: "T4",
    author: "u4",
    at: "2026-11-09T10:00:00Z",
    body: "¡Muchas gracias por el sorteo!",
  });
  await reply("es-early", "2026-11-09T11:00:00Z");
  await message("es-open", {
    thread: "T5",
    author: "u5",
    at: "2026-11-10T10:00:00Z",
    body: "Sigo esperando mi pedido",
  });
  await reply("es-open", "2026-11-10T10:45:00Z");
  await message("es-thanks", { thread: "T5", author: "u5", at: "2026-11-10T11:00:00Z", body: "¡Muchas gracias!" });
  // Thanks eight days after the reply: past the seven-day window.
  await message("late-open", {
    thread: "T6",
    author: "u6",
    at: "2026-11-12T10:00:00Z",
    body: "Is this available in size 8?",
  });
  await reply("late-open", "2026-11-12T10:10:00Z");
  await message("late-thanks", { thread: "T6", author: "u6", at: "2026-11-20T11:00:00Z", body: "Thanks!" });
  // A reply that failed is no answer.
  await message("failed-open", {
    thread: "T7",
    author: "u7",
    at: "2026-11-14T10:00:00Z",
    body: "Great service, very happy",
  });
  await reply("failed-open", "2026-11-14T10:10:00Z", "failed");
  // Answered at the end of November, thanked on 2 December: counts for November.
  await message("dec-open", { thread: "T8", author: "u8", at: "2026-11-29T12:00:00Z", body: "Is the store open?" });
  await reply("dec-open", "2026-11-29T13:00:00Z");
  await message("dec-thanks", { thread: "T8", author: "u8", at: "2026-12-02T09:00:00Z", body: "Danke schön" });
  // October: two answered conversations, one thanked.
  await message("oct-open", {
    thread: "T9",
    author: "u10",
    at: "2026-10-10T10:00:00Z",
    body: "Where can I buy the blue one?",
  });
  await reply("oct-open", "2026-10-10T10:30:00Z");
  await message("oct-thanks", { thread: "T9", author: "u10", at: "2026-10-10T11:00:00Z", body: "Cheers, sorted now" });
  await message("oct-quiet", { thread: "T10", author: "u11", at: "2026-10-20T10:00:00Z", body: "Hello?" });
  await reply("oct-quiet", "2026-10-20T10:30:00Z");
  // Client B: one answered and thanked conversation a stakeholder of A must never see.
  await message("b-open", { thread: "B1", author: "b1", at: "2026-11-04T15:00:00Z", body: "Help!", client: "B" });
  await reply("b-open", "2026-11-04T15:10:00Z");
  await message("b-thanks", { thread: "B1", author: "b1", at: "2026-11-04T16:00:00Z", body: "Gracias", client: "B" });
});

afterAll(() => db.close());

describe("gratitude index in four languages", () => {
  it("counts conversations thanked after the brand's confirmed reply, against the previous month", async () => {
    const owner = await scopeOf(a.users.owner.id);
    const view = await as(owner, (tx) => getInsight(owner, tx, { ...november, clientIds: [a.client.id] }));
    expect(view.previous).toEqual({ from: "2026-10-01", to: "2026-10-31" });
    // Answered: en-open, fr-open, de-open, es-early, es-open, late-open, dec-open (failed-open is not).
    // Thanked: en (after the reply), fr, es-open, dec (2 Dec, within 7 days); not de (sarcasm), es-early (thanks
    // before the reply), late (8 days), u9 (another customer, never answered).
    expect(view.current).toEqual({
      itemsIn: 14,
      purchaseIntent: 2, // fr-open, late-open
      productFeedback: 1, // de-open
      satisfied: 1, // failed-open
      dissatisfied: 3, // en-open, de-sarcasm, es-open
      conversationsAnswered: 7,
      conversationsThanked: 4,
      gratitudeIndex: 4 / 7,
    });
    expect(view.previousPeriod).toMatchObject({
      itemsIn: 3,
      purchaseIntent: 1,
      satisfied: 1,
      conversationsAnswered: 2,
      conversationsThanked: 1,
      gratitudeIndex: 0.5,
    });
  });

  it("drills down to exactly the conversations counted", async () => {
    const owner = await scopeOf(a.users.owner.id);
    const list = (figure: string, period = "current") =>
      as(owner, (tx) => listInsightItems(owner, tx, { ...november, clientIds: [a.client.id], figure, period }));
    const thanked = await list("thanked");
    expect(thanked.total).toBe(4);
    expect(new Set(thanked.items.map((item) => item.id))).toEqual(
      new Set([ids["en-thanks"], ids["fr-thanks"], ids["es-thanks"], ids["dec-thanks"]]),
    );
    expect(thanked.items.find((item) => item.id === ids["fr-thanks"])?.evidence.thanks).toBe("merci");
    const answered = await list("answered");
    expect(new Set(answered.items.map((item) => item.id))).toEqual(
      new Set(["en-open", "fr-open", "de-open", "es-early", "es-open", "late-open", "dec-open"].map((n) => ids[n])),
    );
    expect(answered.items.find((item) => item.id === ids["en-open"])?.thanksItemId).toBe(ids["en-thanks"]);
    expect(answered.items.find((item) => item.id === ids["de-open"])?.thanksItemId).toBeNull();
    const intent = await list("purchase_intent");
    expect(new Set(intent.items.map((item) => item.id))).toEqual(new Set([ids["fr-open"], ids["late-open"]]));
    const octoberThanked = await list("thanked", "previous");
    expect(octoberThanked.items.map((item) => item.id)).toEqual([ids["oct-thanks"]]);
    const page = await as(owner, (tx) =>
      listInsightItems(owner, tx, { ...november, clientIds: [a.client.id], figure: "answered", limit: 5 }),
    );
    expect(page).toMatchObject({ total: 7, nextOffset: 5 });
    expect(page.items).toHaveLength(5);
  });

  it("gives the monthly report one client's figures", async () => {
    const view = await withTenant(db.app, { agencyId: a.agency.id, clientIds: null }, (tx) =>
      getClientInsight(tx, { agencyId: a.agency.id, clientId: a.otherClient.id, ...november }),
    );
    expect(view.current).toMatchObject({ conversationsAnswered: 1, conversationsThanked: 1, gratitudeIndex: 1 });
  });
});

describe("insight scoping", () => {
  it("shows a stakeholder only their client and refuses another by name", async () => {
    const stakeholder = await scopeOf(a.users.stakeholder.id);
    const own = await as(stakeholder, (tx) => getInsight(stakeholder, tx, november));
    expect(own.current).toMatchObject({ conversationsAnswered: 7, conversationsThanked: 4 });
    await expect(
      as(stakeholder, (tx) => getInsight(stakeholder, tx, { ...november, clientIds: [a.otherClient.id] })),
    ).rejects.toMatchObject({ code: "NOT_FOUND" });
    await expect(
      as(stakeholder, (tx) =>
        listInsightItems(stakeholder, tx, { ...november, clientIds: [a.otherClient.id], figure: "thanked" }),
      ),
    ).rejects.toMatchObject({ code: "NOT_FOUND" });
    const owner = await scopeOf(a.users.owner.id);
    const all = await as(owner, (tx) => getInsight(owner, tx, november));
    expect(all.current).toMatchObject({ conversationsAnswered: 8, conversationsThanked: 5 });
  });

  it("sees nothing of another agency", async () => {
    const other = await makeAgency(db.owner);
    const scope = await resolveScope(db.app, { userId: other.users.owner.id, agencyId: other.agency.id });
    if (!scope) throw new Error("not a member");
    const view = await withTenant(db.app, tenantOf(scope), (tx) => getInsight(scope, tx, november));
    expect(view.current).toMatchObject({ itemsIn: 0, conversationsAnswered: 0, gratitudeIndex: null });
    await expect(
      withTenant(db.app, tenantOf(scope), (tx) => getInsight(scope, tx, { ...november, clientIds: [a.client.id] })),
    ).rejects.toMatchObject({ code: "NOT_FOUND" });
  });

  it("refuses a bad figure or period by field", async () => {
    const owner = await scopeOf(a.users.owner.id);
    await expect(
      as(owner, (tx) => listInsightItems(owner, tx, { ...november, figure: "gratitude" })),
    ).rejects.toMatchObject({ code: "BAD_INPUT", details: { fields: { figure: expect.any(String) } } });
    await expect(
      as(owner, (tx) => getInsight(owner, tx, { from: "2026-11-30", to: "2026-11-01" })),
    ).rejects.toMatchObject({ code: "BAD_INPUT", details: { fields: { to: expect.any(String) } } });
  });
});
