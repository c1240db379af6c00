import { mkdtempSync, rmSync } from "node:fs";
import { tmpdir } from "node:os";
import path from "node:path";
import { schema } from "@parley/db";
import { createTestDatabase, makeAgency, type TestAgency, type TestDatabase, testAppSecret } from "@parley/testing";
import { and, eq, inArray } from "drizzle-orm";
import { afterAll, afterEach, beforeAll, describe, expect, it } from "vitest";
import { type RunningServer, startServer } from "../support/server";
import { hackedAccountPlaybook, ingestHackedComment, prepareClient } from "./support";

/**
 * The real API process (embedded driver polling every 100 ms) on a test database, in real time: level 1
 * has 6 seconds (24×7) to answer before the reminder and level 2.
 */
let db: TestDatabase;
const running: RunningServer[] = [];
/** Each server's own data directory, removed once it has stopped. */
const dataDirs: string[] = [];

beforeAll(async () => {
  db = await createTestDatabase();
});
afterEach(async () => {
  await Promise.all(running.splice(0).map((server) => server.stop("SIGKILL")));
  for (const dir of dataDirs.splice(0)) rmSync(dir, { recursive: true, force: true });
});
afterAll(() => db.close());

async function startApi(): Promise<RunningServer> {
  const dataDir = mkdtempSync(path.join(tmpdir(), "parley-sla-"));
  dataDirs.push(dataDir);
  const server = await startServer({
    env: {
      DATABASE_URL: db.ownerUrl,
      DATABASE_APP_URL: db.appUrl,
      APP_SECRET: testAppSecret,
      SEED_DEMO: "0",
      DATA_DIR: dataDir,
      WORKFLOW_POLL_MS: "100",
    },
  });
  running.push(server);
  return server;
}

async function prepareFastEscalation(): Promise<TestAgency> {
  const agency = await makeAgency(db.owner);
  const playbook = hackedAccountPlaybook();
  await prepareClient(db, agency, {
    ...playbook,
    levels: [
      { ...playbook.levels[0]!, respondWithinMinutes: 0.1, calendar: "24x7" },
      { ...playbook.levels[1]!, respondWithinMinutes: 60, calendar: "24x7" },
    ],
  });
  return agency;
}

async function waitFor<T>(
  what: string,
  probe: () => Promise<T | null | undefined | false>,
  timeoutMs = 30_000,
): Promise<T> {
  const deadline = Date.now() + timeoutMs;
  for (;;) {
    const value = await probe();
    if (value) return value;
    if (Date.now() > deadline) throw new Error(`timed out waiting for ${what}`);
    await new Promise((resolve) => setTimeout(resolve, 100));
  }
}

const sleep = (ms: number) => new Promise((resolve) => setTimeout(resolve, ms));

async function triageRows(agency: TestAgency, itemIds: readonly string[]) {
  const [replies, escalations, notifications] = await Promise.all([
    db.owner
      .select()
      .from(schema.replies)
      .where(inArray(schema.replies.itemId, [...itemIds])),
    db.owner
      .select()
      .from(schema.escalations)
      .where(inArray(schema.escalations.itemId, [...itemIds])),
    db.owner.select().from(schema.notifications).where(eq(schema.notifications.agencyId, agency.agency.id)),
  ]);
  return { replies, escalations, notifications };
}

describe("workflow durability with the real API process", () => {
  it("kill -9 while an escalation waits: after a restart the reminder fires exactly once and nothing is acknowledged twice", async () => {
    const agency = await prepareFastEscalation();
    const itemId = await ingestHackedComment(db.app, agency, { externalId: "restart-1", now: new Date() });
    const first = await startApi();

    // Escalated at level 1, and the flow is parked (unclaimed) waiting for the answer.
    const escalation = await waitFor("the escalation", async () => {
      const [row] = await db.owner.select().from(schema.escalations).where(eq(schema.escalations.itemId, itemId));
      const [wakeup] = await db.owner
        .select()
        .from(schema.workflowWakeups)
        .where(and(eq(schema.workflowWakeups.subjectId, itemId), eq(schema.workflowWakeups.flow, "triage")));
      return row && wakeup?.waitingFor === "escalations/escalation.resolved" && !wakeup.lockedUntil ? row : null;
    });
    expect(escalation.level).toBe(1);
    running.splice(running.indexOf(first), 1);
    await first.stop("SIGKILL");

    // Level 1's six seconds run out while no process is up: nothing happens.
    await sleep(Math.max(0, escalation.levelStartedAt.getTime() + 7_000 - Date.now()));
    expect((await triageRows(agency, [itemId])).escalations[0]?.level).toBe(1);

    await startApi();
    await waitFor("level 2", async () => {
      const [row] = await db.owner.select().from(schema.escalations).where(eq(schema.escalations.itemId, itemId));
      return row?.level === 2;
    });
    await sleep(1_000); // several more polls: nothing more may happen

    const rows = await triageRows(agency, [itemId]);
    expect(rows.replies.filter((reply) => reply.kind === "acknowledgement")).toHaveLength(1);
    expect(rows.escalations).toHaveLength(1);
    expect(rows.escalations[0]?.workflowState).toMatchObject({ remindedLevels: [1] });
    // The acknowledgement cannot be delivered here (the channel has no endpoint), so a channel incident may
    // open too; the triage's own notices are the escalation's.
    const notices = rows.notifications.filter((notice) => notice.subjectId === escalation.id);
    expect(notices.map((notice) => notice.kind).sort()).toEqual([
      "escalation.opened",
      "escalation.opened",
      "escalation.reminder",
    ]);
  }, 120_000);

  it("two API processes on one database: every step runs once", async () => {
    const agency = await prepareFastEscalation();
    await Promise.all([startApi(), startApi()]);
    const itemIds: string[] = [];
    for (let n = 0; n < 8; n++) {
      itemIds.push(await ingestHackedComment(db.app, agency, { externalId: `twin-${n}`, now: new Date() }));
    }

    await waitFor("every item at level 2", async () => {
      const rows = await db.owner.select().from(schema.escalations).where(inArray(schema.escalations.itemId, itemIds));
      return rows.length === itemIds.length && rows.every((row) => row.level === 2);
    });
    await sleep(1_000);

    const rows = await triageRows(agency, itemIds);
    for (const itemId of itemIds) {
      const replies = rows.replies.filter((reply) => reply.itemId === itemId);
      expect({ itemId, acknowledgements: replies.filter((reply) => reply.kind === "acknowledgement").length }).toEqual({
        itemId,
        acknowledgements: 1,
      });
      const escalations = rows.escalations.filter((row) => row.itemId === itemId);
      expect(escalations).toHaveLength(1);
      expect(escalations[0]?.workflowState).toMatchObject({ remindedLevels: [1] });
      const notices = rows.notifications.filter((notice) => notice.subjectId === escalations[0]?.id);
      expect(notices.map((notice) => notice.kind).sort()).toEqual([
        "escalation.opened",
        "escalation.opened",
        "escalation.reminder",
      ]);
    }
    const deliveries = await db.owner
      .select()
      .from(schema.outboundDeliveries)
      .where(inArray(schema.outboundDeliveries.itemId, itemIds));
    expect(deliveries).toHaveLength(itemIds.length);
  }, 120_000);
});
