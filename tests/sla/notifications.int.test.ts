import { createNotifier, deriveWebhookSecret, verifyWebhookSignature } from "@parley/connectors/notify";
import { createTriageStore } from "@parley/core/escalations";
import { createWakeupQueue } from "@parley/core/flows";
import { createClockStore } from "@parley/core/sla";
import { schema } from "@parley/db";
import {
  createTestDatabase,
  makeAgency,
  type TestAgency,
  type TestDatabase,
  testAppSecret,
  testOutboundAllowlist,
} from "@parley/testing";
import { createEmbeddedDriver } from "@parley/workflows";
import { eq } from "drizzle-orm";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { startSmtpServer, startWebhookReceiver } from "../support/notice-receivers";
import { hackedAccountPlaybook, ingestHackedComment, prepareClient } from "./support";

let db: TestDatabase;
let a: TestAgency;

beforeAll(async () => {
  db = await createTestDatabase();
  a = await makeAgency(db.owner);
});
afterAll(() => db.close());

describe("escalation notices", () => {
  it("e-mails the level's contacts through SMTP_URL and posts a signed webhook", async () => {
    const smtp = await startSmtpServer();
    const webhook = await startWebhookReceiver();
    try {
      const playbook = hackedAccountPlaybook({}, a.users.stakeholder.id);
      playbook.levels[0] = {
        ...playbook.levels[0]!,
        contacts: { ...playbook.levels[0]!.contacts, webhookUrl: webhook.url },
      };
      await prepareClient(db, a, playbook);
      const notifier = createNotifier({
        smtpUrl: smtp.url,
        from: "Parley <alerts@parley.test>",
        appSecret: testAppSecret,
        allowlist: testOutboundAllowlist,
      });
      const now = new Date("2026-11-22T02:00:00Z");
      const driver = createEmbeddedDriver({
        store: createTriageStore({ db: db.app, notifier }),
        clockStore: createClockStore({ db: db.app }),
        wakeups: createWakeupQueue(db.app),
        now: () => now,
      });
      const itemId = await ingestHackedComment(db.app, a, { externalId: "mail-1", now });
      await driver.tick();
      notifier.close();

      expect(smtp.messages).toHaveLength(1);
      expect(smtp.messages[0]?.from).toBe("alerts@parley.test");
      expect(smtp.messages[0]?.to.sort()).toEqual(["duty-manager@brand.test", a.users.stakeholder.email].sort());
      expect(smtp.messages[0]?.raw).toContain("Subject: Escalation (level 1): gamer_mail-1 needs an answer");

      expect(webhook.received).toHaveLength(1);
      const [post] = webhook.received;
      const secret = deriveWebhookSecret({ appSecret: testAppSecret, clientId: a.client.id });
      expect(verifyWebhookSignature({ secret, body: post?.body ?? "", header: post?.signature })).toBe(true);
      expect(
        verifyWebhookSignature({ secret: "another secret", body: post?.body ?? "", header: post?.signature }),
      ).toBe(false);
      const [escalation] = await db.owner
        .select()
        .from(schema.escalations)
        .where(eq(schema.escalations.itemId, itemId));
      expect(JSON.parse(post?.body ?? "{}")).toMatchObject({
        type: "escalation.opened",
        escalationId: escalation?.id,
        itemId,
        clientId: a.client.id,
        level: 1,
      });
      // Sent, so gone from the escalation's outbox.
      expect(escalation?.workflowState).toMatchObject({ outbox: [] });
    } finally {
      await Promise.all([smtp.close(), webhook.close()]);
    }
  });
});
