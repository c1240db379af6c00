import { schema } from "@parley/db";
import { makeUser, type TestAgency, type TestDatabase } from "@parley/testing";
import { eq, inArray } from "drizzle-orm";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { signInAs, type TestApp } from "../support/http";
import {
  auditOf,
  deliveriesOf,
  genericChannelOf,
  ingestItem,
  itemRow,
  type ModerationSuite,
  mutate,
  openModerationSuite,
  query,
} from "./moderation-support";

let suite: ModerationSuite;
let db: TestDatabase;
let app: TestApp;
let a: TestAgency;
let moderator: string;
let protocolVersionId: string;
let channel: ReturnType<typeof genericChannelOf>;

beforeAll(async () => {
  suite = await openModerationSuite();
  ({ db, app, agency: a, moderator, protocolVersionId } = suite);
  channel = genericChannelOf(a, a.client.id);
});
afterAll(() => suite.close());

describe("moderation actions", () => {
  it("keeps hide, unhide and delete from a moderator whose authority on the client is triage", async () => {
    const triage = await makeUser(db.owner, {
      agencyId: a.agency.id,
      role: "moderator",
      assignments: [{ clientId: a.client.id, authority: "triage" }],
    });
    const cookie = await signInAs(app, triage.email);
    const item = await ingestItem(db, channel, { body: "Spam spam spam at spam.example" });
    for (const action of ["items.hide", "items.delete"]) {
      const refused = await mutate(app, cookie, action, { itemId: item.id });
      expect({ action, code: refused.error?.code, reason: refused.error?.details.reason }).toEqual({
        action,
        code: "FORBIDDEN",
        reason: "triage_authority",
      });
    }
    const bulk = await mutate(app, cookie, "items.bulk", { itemIds: [item.id], action: "hide" });
    expect(bulk.error?.details.reason).toBe("triage_authority");
    expect((await itemRow(db, item.id)).status).toBe("queued");
    expect(await deliveriesOf(db, item.id)).toEqual([]);
    // What changes nothing in public stays theirs; a lead hides it (and only a lead or respond moderator unhides).
    expect((await mutate(app, cookie, "items.tag", { itemId: item.id, tags: ["spam"] })).status).toBe(200);
    expect((await mutate(app, moderator, "items.hide", { itemId: item.id })).status).toBe(200);
    expect((await mutate(app, cookie, "items.unhide", { itemId: item.id })).error?.details.reason).toBe(
      "triage_authority",
    );
    const other = await ingestItem(db, channel, { body: "Nothing to do here" });
    expect((await mutate(app, cookie, "items.noAction", { itemId: other.id })).data).toMatchObject({
      status: "no_action",
    });
  });

  it("audits hide, unhide, delete and no-action with before, after and protocol version, and queues the platform's part", async () => {
    const hidden = await ingestItem(db, channel, { body: "When is the next patch?" });
    const result = await mutate(app, moderator, "items.hide", { itemId: hidden.id });
    expect(result.status).toBe(200);
    expect(result.data).toMatchObject({ id: hidden.id, status: "hidden", claimedBy: null });
    expect((await mutate(app, moderator, "items.unhide", { itemId: hidden.id })).data).toMatchObject({
      status: "queued",
    });
    expect((await mutate(app, moderator, "items.delete", { itemId: hidden.id })).data).toMatchObject({
      status: "deleted",
    });
    const dismissed = await ingestItem(db, channel, { body: "Nice weather today" });
    expect((await mutate(app, moderator, "items.noAction", { itemId: dismissed.id })).data).toMatchObject({
      status: "no_action",
    });

    const audit = await auditOf(db, hidden.id);
    const actions = audit.filter((e) => e.actorUserId === a.users.moderator.id);
    expect(actions.map((e) => [e.action, e.before, e.after, e.protocolVersionId])).toEqual([
      ["item.hidden", { status: "queued", claimedBy: null }, { status: "hidden", delivery: "hide" }, protocolVersionId],
      [
        "item.unhidden",
        { status: "hidden", claimedBy: null },
        { status: "queued", delivery: "unhide" },
        protocolVersionId,
      ],
      [
        "item.deleted",
        { status: "queued", claimedBy: null },
        { status: "deleted", delivery: "delete" },
        protocolVersionId,
      ],
    ]);
    expect((await deliveriesOf(db, hidden.id)).map((d) => [d.action, d.status])).toEqual([
      ["hide", "pending"],
      ["unhide", "pending"],
      ["delete", "pending"],
    ]);
    const [noAction] = await auditOf(db, dismissed.id).then((rows) =>
      rows.filter((e) => e.action === "item.no_action"),
    );
    expect(noAction).toMatchObject({ before: { status: "queued" }, after: { status: "no_action" }, protocolVersionId });
    expect(await deliveriesOf(db, dismissed.id)).toEqual([]);
  });

  it("refuses an action the item's status does not allow, changing nothing", async () => {
    const item = await ingestItem(db, channel, { body: "Just saying hi" });
    await mutate(app, moderator, "items.noAction", { itemId: item.id });
    const again = await mutate(app, moderator, "items.noAction", { itemId: item.id });
    expect(again.error).toMatchObject({ code: "INVALID_STATE", details: { reason: "already_handled" } });
    const unhide = await mutate(app, moderator, "items.unhide", { itemId: item.id });
    expect(unhide.error).toMatchObject({ code: "INVALID_STATE", details: { reason: "not_hidden" } });
    expect((await itemRow(db, item.id)).status).toBe("no_action");
  });

  it("lets moderators hide and delete triage-only items (moderation, not speaking)", async () => {
    const item = await ingestItem(db, channel, { body: "My account was hacked, you bastards" });
    expect(item).toMatchObject({ categoryKey: "account_hacked", authority: "triage" });
    expect((await mutate(app, moderator, "items.hide", { itemId: item.id })).data).toMatchObject({ status: "hidden" });
    expect((await mutate(app, moderator, "items.delete", { itemId: item.id })).data).toMatchObject({
      status: "deleted",
    });
  });

  it("leaves an item another moderator has claimed to them", async () => {
    const item = await ingestItem(db, channel, { body: "Where is my order?" });
    const other = await makeUser(db.owner, {
      agencyId: a.agency.id,
      role: "moderator",
      assignments: [{ clientId: a.client.id, authority: "respond" }],
    });
    await db.owner
      .update(schema.items)
      .set({ status: "claimed", claimedBy: other.id, claimExpiresAt: new Date(Date.now() + 600_000) })
      .where(eq(schema.items.id, item.id));
    const outcome = await mutate(app, moderator, "items.hide", { itemId: item.id });
    expect(outcome.error).toMatchObject({ code: "INVALID_STATE", details: { reason: "claimed_by_another" } });
    expect((await itemRow(db, item.id)).status).toBe("claimed");
    expect(await deliveriesOf(db, item.id)).toEqual([]);
  });

  it("tags and notes an item, audited, and shows them in items.get", async () => {
    const item = await ingestItem(db, channel, { body: "Servers down again?" });
    const tagged = await mutate(app, moderator, "items.tag", {
      itemId: item.id,
      tags: ["Outage", "outage", " servers "],
    });
    expect(tagged.data).toMatchObject({ tags: ["outage", "servers"] });
    const note = await mutate(app, moderator, "items.note", { itemId: item.id, body: "Known outage, see status page" });
    expect(note.data).toMatchObject({ body: "Known outage, see status page", author: { id: a.users.moderator.id } });
    const detail = await query(app, moderator, "items.get", { itemId: item.id });
    expect(detail.data).toMatchObject({
      item: { tags: ["outage", "servers"] },
      notes: [{ body: "Known outage, see status page" }],
    });
    const audit = await auditOf(db, item.id);
    expect(audit.find((e) => e.action === "item.tagged")).toMatchObject({
      before: { tags: [] },
      after: { tags: ["outage", "servers"] },
      protocolVersionId,
    });
    expect(audit.find((e) => e.action === "item.note_added")).toMatchObject({ protocolVersionId });
  });

  it("answers bad input with a 400 naming the field, and changes nothing", async () => {
    const item = await ingestItem(db, channel, { body: "Hello there" });
    const noBody = await mutate(app, moderator, "items.note", { itemId: item.id, body: "   " });
    expect(noBody).toMatchObject({
      status: 400,
      error: { code: "BAD_INPUT", details: { fields: { body: expect.any(String) } } },
    });
    const badId = await mutate(app, moderator, "items.hide", { itemId: "nope" });
    expect(badId).toMatchObject({ status: 400, error: { details: { fields: { itemId: "must be a UUID" } } } });
    const tooMany = await mutate(app, moderator, "items.bulk", {
      itemIds: Array.from({ length: 501 }, () => item.id),
      action: "hide",
    });
    expect(tooMany).toMatchObject({
      status: 400,
      error: { details: { fields: { itemIds: expect.stringMatching(/500/) } } },
    });
    // A cluster's reply needs its statement, and one that differs per customer; a tag action needs tags.
    expect(await mutate(app, moderator, "items.bulk", { itemIds: [item.id], action: "reply" })).toMatchObject({
      status: 400,
      error: { details: { fields: { statement: "is required to reply" } } },
    });
    expect(
      await mutate(app, moderator, "items.bulk", { itemIds: [item.id], action: "reply", statement: "We're on it" }),
    ).toMatchObject({ status: 400, error: { details: { fields: { statement: expect.stringMatching(/\{name\}/) } } } });
    expect(await mutate(app, moderator, "items.bulk", { itemIds: [item.id], action: "tag", tags: [] })).toMatchObject({
      status: 400,
      error: { details: { fields: { tags: expect.any(String) } } },
    });
    expect((await itemRow(db, item.id)).status).toBe("queued");
  });

  it("hides a spam wave in one call, each item audited and queued for the platform", async () => {
    const wave = await Promise.all(
      Array.from({ length: 40 }, (_, i) => ingestItem(db, channel, { body: `cheap skins at spam.example ${i}` })),
    );
    const handled = await ingestItem(db, channel, { body: "already answered" });
    await mutate(app, moderator, "items.noAction", { itemId: handled.id });
    const outcome = await mutate(app, moderator, "items.bulk", {
      itemIds: [...wave.map((item) => item.id), handled.id],
      action: "hide",
    });
    expect(outcome.data).toEqual({ updated: 40, blocked: [] });
    const ids = wave.map((item) => item.id);
    const rows = await db.owner.select().from(schema.items).where(inArray(schema.items.id, ids));
    expect(rows.every((row) => row.status === "hidden")).toBe(true);
    expect((await itemRow(db, handled.id)).status).toBe("no_action");
    const deliveries = await db.owner
      .select()
      .from(schema.outboundDeliveries)
      .where(inArray(schema.outboundDeliveries.itemId, ids));
    expect(deliveries.filter((d) => d.action === "hide")).toHaveLength(40);
    const audits = await db.owner.select().from(schema.auditEvents).where(inArray(schema.auditEvents.subjectId, ids));
    expect(audits.filter((e) => e.action === "item.hidden" && e.protocolVersionId === protocolVersionId)).toHaveLength(
      40,
    );
  });

  it("answers NOT_FOUND for an item of a client the moderator does not work on", async () => {
    const stranger = await makeUser(db.owner, {
      agencyId: a.agency.id,
      role: "moderator",
      assignments: [{ clientId: a.otherClient.id, authority: "respond" }],
    });
    const cookie = await signInAs(app, stranger.email);
    const item = await ingestItem(db, channel, { body: "Not yours" });
    expect((await mutate(app, cookie, "items.hide", { itemId: item.id })).error?.code).toBe("NOT_FOUND");
    expect((await query(app, cookie, "items.get", { itemId: item.id })).error?.code).toBe("NOT_FOUND");
    const mine = await ingestItem(db, genericChannelOf(a, a.otherClient.id), { body: "Theirs" });
    const bulk = await mutate(app, cookie, "items.bulk", { itemIds: [mine.id, item.id], action: "hide" });
    expect(bulk.error).toMatchObject({ code: "NOT_FOUND", details: { fields: { itemIds: expect.any(String) } } });
    expect((await itemRow(db, mine.id)).status).toBe("queued");
    expect((await itemRow(db, item.id)).status).toBe("queued");
  });
});
