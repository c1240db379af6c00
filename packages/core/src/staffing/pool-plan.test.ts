import { describe, expect, it } from "vitest";
import { requiredAgents, trafficErlangs } from "./erlang-c";
import { type ClientHourDemand, type PlanTarget, planPoolHour } from "./pool-plan";
import { buildPools } from "./pools";

const settings = { maxOccupancy: 0.85, shrinkage: 0.3, triageAhtSeconds: 60 };
const target = (clientId: string, priority: string, minutes: number, compliancePercent: number): PlanTarget => ({
  clientId,
  priority,
  minutes,
  compliancePercent,
});

describe("buildPools", () => {
  it("joins clients that share a moderator, and keeps each moderator in one pool", () => {
    const pools = buildPools({
      clientIds: ["hexfall", "brightmart", "cobalt", "lakeside"],
      assignments: [
        { membershipId: "mia", clientId: "hexfall" },
        { membershipId: "mia", clientId: "brightmart" },
        { membershipId: "noah", clientId: "hexfall" },
        { membershipId: "leo", clientId: "cobalt" },
        { membershipId: "ghost", clientId: "another-agencys-client" },
      ],
    });
    expect(pools).toEqual([
      {
        key: "brightmart+hexfall",
        clientIds: ["brightmart", "hexfall"],
        membershipIds: ["mia", "noah"],
        crossSkilled: 1,
      },
      { key: "cobalt", clientIds: ["cobalt"], membershipIds: ["leo"], crossSkilled: 1 },
      { key: "lakeside", clientIds: ["lakeside"], membershipIds: [], crossSkilled: 0 },
    ]);
  });
});

describe("planPoolHour", () => {
  it("needs fewer moderators for two clients pooled than for the two planned apart", () => {
    const demands: ClientHourDemand[] = [
      { clientId: "hexfall", arrivals: 40, ahtSeconds: 240, targets: [target("hexfall", "P2", 15, 90)] },
      { clientId: "brightmart", arrivals: 30, ahtSeconds: 300, targets: [target("brightmart", "P2", 15, 90)] },
    ];
    const plan = planPoolHour({ demands, rostered: 10, settings });
    const alone = (arrivals: number, aht: number) =>
      requiredAgents({
        trafficErlangs: trafficErlangs({ arrivals, periodSeconds: 3600, ahtSeconds: aht }),
        ahtSeconds: aht,
        targetSeconds: 15 * 60,
        serviceLevelTarget: 0.9,
        maxOccupancy: 0.85,
        shrinkage: 0.3,
      }).scheduled;
    expect(plan.standalone).toEqual({ hexfall: alone(40, 240), brightmart: alone(30, 300) });
    expect(plan.trafficErlangs).toBeCloseTo((40 * 240 + 30 * 300) / 3600, 9);
    expect(plan.ahtSeconds).toBeCloseTo((40 * 240 + 30 * 300) / 70, 9);
    const apart = alone(40, 240) + alone(30, 300);
    expect(plan.required.scheduled).toBeLessThan(apart);
    expect(plan.required.serviceLevel).toBeGreaterThanOrEqual(0.9);
  });

  it("plans the pool against the strictest target of any of its clients", () => {
    const lenient = target("brightmart", "P2", 60, 80);
    const strict = target("cobalt", "P1", 10, 95);
    const demands: ClientHourDemand[] = [
      { clientId: "brightmart", arrivals: 50, ahtSeconds: 240, targets: [lenient] },
      { clientId: "cobalt", arrivals: 5, ahtSeconds: 240, targets: [strict, target("cobalt", "P3", 120, 90)] },
    ];
    const uncapped = { ...settings, maxOccupancy: 1 };
    const plan = planPoolHour({ demands, rostered: 6, settings: uncapped });
    expect(plan.required.governing).toEqual(strict);
    const againstLenientOnly = planPoolHour({
      demands: demands.map((demand) => ({ ...demand, targets: [lenient] })),
      rostered: 6,
      settings: uncapped,
    });
    expect(plan.required.agents).toBeGreaterThan(againstLenientOnly.required.agents);
    // On a tie, the fewer minutes win: a 100 % target is planned as 99.9 %.
    const tied = planPoolHour({
      demands: [
        {
          clientId: "a",
          arrivals: 0.01,
          ahtSeconds: 240,
          targets: [target("a", "P2", 30, 90), target("a", "P1", 20, 100)],
        },
      ],
      rostered: 2,
      settings,
    });
    expect(tied.required).toMatchObject({ agents: 1, governing: { priority: "P1" } });
  });

  it("finds the gap, the triage-only cover and the clients whose SLAs are at risk", () => {
    const hexfall = target("hexfall", "P1", 15, 95);
    const brightmart = target("brightmart", "P1", 30, 95);
    const cobalt = target("cobalt", "P1", 10, 95);
    const demands = (hexfallArrivals: number): ClientHourDemand[] => [
      { clientId: "hexfall", arrivals: hexfallArrivals, ahtSeconds: 240, targets: [hexfall] },
      { clientId: "brightmart", arrivals: 2, ahtSeconds: 240, targets: [brightmart] },
      { clientId: "cobalt", arrivals: 2, ahtSeconds: 240, targets: [cobalt] },
    ];
    const normal = planPoolHour({ demands: demands(6), rostered: 5, settings });
    expect(normal).toMatchObject({ gap: 0, atRisk: [], coverableByTriage: true });

    // A Hexfall launch ×5: 34 items an hour at 240 s is 2.27 erlangs; Cobalt's 10 minutes at 95 % need 4 answering,
    // 6 rostered after 30 % shrinkage, and 5 are on shift.
    const launch = planPoolHour({ demands: demands(30), rostered: 5, settings });
    expect(launch.required).toMatchObject({ agents: 4, scheduled: 6, governing: cobalt });
    expect(launch.gap).toBe(1);
    expect(launch.productive).toBe(3);
    // Acknowledging in 60 s instead of answering in 240 s: one answering (two rostered) holds every target.
    expect(launch.triage).toMatchObject({ agents: 1, scheduled: 2 });
    expect(launch.coverableByTriage).toBe(true);
    // One queue: the surge on Hexfall puts Cobalt's 10-minute target at risk; 15 and 30 minutes still hold.
    expect(launch.atRisk).toEqual([{ clientId: "cobalt", target: cobalt, expectedServiceLevel: expect.any(Number) }]);
    expect(launch.atRisk[0]?.expectedServiceLevel).toBeLessThan(0.95);
    expect(launch.atRisk[0]?.expectedServiceLevel).toBeGreaterThan(0.85);

    const unstaffed = planPoolHour({ demands: demands(6), rostered: 0, settings });
    expect(unstaffed).toMatchObject({ productive: 0, coverableByTriage: false });
    expect(unstaffed.gap).toBe(unstaffed.required.scheduled);
    expect(unstaffed.atRisk).toHaveLength(3);
  });

  it("does not count triage cover as meeting first response for a client whose acknowledgements do not count", () => {
    const hexfall = target("hexfall", "P1", 15, 95);
    const cobalt = target("cobalt", "P1", 10, 95);
    const demands = (cobaltAcknowledgementCounts: boolean): ClientHourDemand[] => [
      { clientId: "hexfall", arrivals: 30, ahtSeconds: 240, targets: [hexfall] },
      {
        clientId: "cobalt",
        arrivals: 4,
        ahtSeconds: 240,
        targets: [cobalt],
        acknowledgementCounts: cobaltAcknowledgementCounts,
      },
    ];
    const counted = planPoolHour({ demands: demands(true), rostered: 5, settings });
    expect(counted.triage).toMatchObject({ agents: 1, scheduled: 2 });
    expect(counted.coverableByTriage).toBe(true);
    // Cobalt's clock runs on past an acknowledgement: its 4 items need their 240 s answer even in triage cover.
    // (30 × 60 + 4 × 240) / 3600 = 0.77 erlangs against Cobalt's 10 minutes at 95 %.
    const uncounted = planPoolHour({ demands: demands(false), rostered: 5, settings });
    const expected = requiredAgents({
      trafficErlangs: (30 * 60 + 4 * 240) / 3600,
      ahtSeconds: (30 * 60 + 4 * 240) / 34,
      targetSeconds: 10 * 60,
      serviceLevelTarget: 0.95,
      maxOccupancy: 0.85,
      shrinkage: 0.3,
    });
    expect(uncounted.triage).toMatchObject({ agents: expected.agents, scheduled: expected.scheduled });
    expect(uncounted.triage.scheduled).toBeGreaterThan(counted.triage.scheduled);
    // The full plan does not change: only the triage cover does.
    expect(uncounted.required).toEqual(counted.required);
    // Outside the hours its targets run, acknowledging is cover enough again.
    const offHours = planPoolHour({
      demands: demands(false).map((demand) => ({ ...demand, targets: demand.clientId === "cobalt" ? [] : [hexfall] })),
      rostered: 5,
      settings,
    });
    expect(offHours.triage.scheduled).toBe(
      planPoolHour({
        demands: demands(true).map((demand) => ({
          ...demand,
          targets: demand.clientId === "cobalt" ? [] : [hexfall],
        })),
        rostered: 5,
        settings,
      }).triage.scheduled,
    );
  });

  it("staffs an hour with no target running to keep up with the work, and an empty hour with nobody", () => {
    const work = planPoolHour({
      demands: [{ clientId: "cobalt", arrivals: 30, ahtSeconds: 240, targets: [] }],
      rostered: 1,
      settings,
    });
    // 2 erlangs at 85 % occupancy at most: 3 answering, 5 rostered after 30 % shrinkage.
    expect(work.required).toEqual({ agents: 3, scheduled: 5, governing: null, serviceLevel: null });
    expect(work.atRisk).toEqual([]);
    const quiet = planPoolHour({
      demands: [{ clientId: "cobalt", arrivals: 0, ahtSeconds: 240, targets: [target("cobalt", "P1", 10, 95)] }],
      rostered: 0,
      settings,
    });
    expect(quiet).toMatchObject({ gap: 0, required: { agents: 0, scheduled: 0 }, coverableByTriage: true });
  });
});
