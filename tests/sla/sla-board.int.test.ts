import { getSlaBoard } from "@parley/core/sla";
import { withTenant } from "@parley/db";
import { createTestDatabase, makeAgency, type TestAgency, type TestDatabase } from "@parley/testing";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { insertItems, scopeOf } from "../billing/fixtures";

let db: TestDatabase;
let a: TestAgency;

beforeAll(async () => {
  db = await createTestDatabase();
  a = await makeAgency(db.owner);
});
afterAll(() => db.close());

describe("the SLA board", () => {
  it("counts every open item in its totals, one row per item with both clocks, a page at a time", async () => {
    const now = new Date("2026-11-20T12:00:00Z");
    const clocks = () => [
      { metric: "first_response" as const, targetMinutes: 60, stoppedAfter: null },
      { metric: "resolution" as const, targetMinutes: 480, stoppedAfter: null },
    ];
    const at = (minutesAgo: number) => new Date(now.getTime() - minutesAgo * 60_000);
    // 230 open items: 10 breached (received 2 h ago), 20 at risk (55 min ago), 200 on track (5 min ago); and 5
    // answered ones, which are not open.
    const plans = [
      ...Array.from({ length: 10 }, () => ({ receivedAt: at(120), clocks: clocks() })),
      ...Array.from({ length: 20 }, () => ({ receivedAt: at(55), clocks: clocks() })),
      ...Array.from({ length: 200 }, () => ({ receivedAt: at(5), clocks: clocks() })),
      ...Array.from({ length: 5 }, () => ({ receivedAt: at(30), clocks: [{ stoppedAfter: 10 }] })),
    ];
    await insertItems(db.owner, { agency: a, clientId: a.client.id }, plans);
    const scope = await scopeOf(db.app, a, a.users.owner);
    const board = (page: number) =>
      withTenant(db.app, { agencyId: a.agency.id, clientIds: null }, (tx) =>
        getSlaBoard(scope, tx, { page, pageSize: 50 }, { now: () => now }),
      );
    const first = await board(0);
    expect(first.totals).toEqual({ openItems: 230, atRisk: 20, breached: 10, paused: 0 });
    expect(first.pageCount).toBe(5);
    expect(first.items).toHaveLength(50);
    expect(
      first.items.every(
        (item) =>
          item.clocks
            .map((clock) => clock.metric)
            .sort()
            .join() === "first_response,resolution",
      ),
    ).toBe(true);
    expect(first.items.slice(0, 10).every((item) => item.clocks[0]?.state === "breached")).toBe(true);
    const last = await board(4);
    expect(last.items).toHaveLength(30);
    expect(last.totals.openItems).toBe(230);
    const seen = new Set([
      ...(await Promise.all([0, 1, 2, 3, 4].map(board))).flatMap((page) => page.items.map((item) => item.itemId)),
    ]);
    expect(seen.size).toBe(230);
  });
});
