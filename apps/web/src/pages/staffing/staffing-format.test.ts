import { describe, expect, it } from "vitest";
import type { PoolHour, StaffingPlan } from "./staffing-api";
import { cellState, formatLocalDate, staffingPlanCsv } from "./staffing-format";

const hexfall = "0190a5b2-0000-7000-8000-000000000001";
const cobalt = "0190a5b2-0000-7000-8000-000000000002";

function hour(overrides: Partial<PoolHour> = {}): PoolHour {
  return {
    startsAt: new Date("2026-12-18T14:00:00Z"),
    localDate: "2026-12-18",
    weekday: 4,
    hour: 14,
    arrivals: 31.5,
    byClient: [
      { clientId: hexfall, arrivals: 27.25 },
      { clientId: cobalt, arrivals: 4.25 },
    ],
    trafficErlangs: 2.1,
    ahtSeconds: 240,
    required: {
      agents: 4,
      scheduled: 6,
      serviceLevel: 0.99,
      governing: { clientId: cobalt, priority: "P1", minutes: 10, compliancePercent: 95 },
    },
    triage: { agents: 1, scheduled: 2 },
    rostered: 3,
    productive: 2,
    gap: 3,
    suggestion: { mode: "triage_only", scheduled: 2 },
    atRisk: [{ clientId: hexfall, priority: "P1", minutes: 15, compliancePercent: 95, expectedServiceLevel: 0.5 }],
    standalone: 7,
    events: ["=Launch, day one"],
    ...overrides,
  };
}

const plan = {
  weekStart: "2026-12-14",
  timeZone: "Europe/London",
  clients: [
    { id: hexfall, name: "Hexfall Games" },
    { id: cobalt, name: "Cobalt Bank" },
  ],
  pools: [{ name: "Cobalt Bank · Hexfall Games", hours: [hour()] }],
} as unknown as StaffingPlan;

describe("staffingPlanCsv", () => {
  it("writes one row per pool and hour with the gap, the cover and the SLAs at risk", () => {
    const lines = staffingPlanCsv(plan).replace("\ufeff", "").split("\r\n");
    expect(lines[0]).toBe(
      "pool,date,hour,starts_at_utc,expected_items,items_by_client,traffic_erlangs,aht_seconds,required_agents,required_rostered,rostered,gap,suggested_cover,triage_rostered_needed,governing_target,slas_at_risk,events",
    );
    // Fields holding a comma are quoted; an event named like a formula is written as text.
    expect(lines[1]).toBe(
      'Cobalt Bank · Hexfall Games,2026-12-18,14:00,2026-12-18T14:00:00.000Z,31.50,Hexfall Games: 27.25; Cobalt Bank: 4.25,2.100,240,4,6,3.00,3.00,"triage only (acknowledge, escalate, follow up)",2,"Cobalt Bank P1 first response 10 min, 95 %","Hexfall Games (P1 first response 15 min, 95 %)","\'=Launch, day one"',
    );
    expect(lines[2]).toBe("");
  });
});

describe("cellState", () => {
  it("reads covered, triage, short and quiet hours", () => {
    expect(cellState(hour())).toBe("triage");
    expect(cellState(hour({ suggestion: { mode: "add_moderators", missing: 2 } }))).toBe("short");
    expect(cellState(hour({ suggestion: null, gap: 0 }))).toBe("covered");
    expect(
      cellState(
        hour({ suggestion: null, gap: 0, required: { agents: 0, scheduled: 0, serviceLevel: 1, governing: null } }),
      ),
    ).toBe("quiet");
    expect(formatLocalDate("2026-12-18")).toBe("Fri 18 Dec");
  });
});
