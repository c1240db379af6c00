import { describe, expect, it } from "vitest";
import type { Wakeup } from "../kernel/wakeup";
import type { BusinessCalendar } from "../sla/business-calendar";
import { londonBusinessHours as businessHours } from "../sla/london-business-hours.fixture";
import {
  advanceTriage,
  applyTriageActions,
  createTriageState,
  recordEscalationAcknowledged,
  recordEscalationAnswer,
  recordEscalationCancelled,
  type TriageAction,
  type TriageItem,
  type TriagePolicy,
  type TriageState,
} from "./advance-triage";

// November: Europe/London is on GMT, so local times read the same as the UTC instants below.
const at = (iso: string) => new Date(iso);
const SUNDAY_2AM = at("2026-11-22T02:00:00Z");

const allDay: [string, string][] = [["00:00", "24:00"]];
const twentyFourSeven: BusinessCalendar = {
  timeZone: "Europe/London",
  weekly: { sun: allDay, mon: allDay, tue: allDay, wed: allDay, thu: allDay, fri: allDay, sat: allDay },
};

const templates = [
  "Thanks for flagging this. We've passed it to the team and will update you here.",
  "Sorry to hear about this. It's with the right people now and we'll come back to you.",
  "Thank you for letting us know. We're looking into it and will reply on this thread.",
];

function makePolicy(overrides: Partial<TriagePolicy> = {}): TriagePolicy {
  return {
    autoAcknowledge: true,
    acknowledgement: { targetMinutes: 15, calendar: twentyFourSeven, templates },
    levels: [
      { contacts: ["duty-manager@brand.example"], respondWithinMinutes: 120, calendar: businessHours },
      { contacts: ["head-of-care@brand.example"], respondWithinMinutes: 60, calendar: businessHours },
    ],
    customerUpdateCadenceMinutes: 12 * 60,
    autoSendFollowUp: true,
    ...overrides,
  };
}

function makeItem(overrides: Partial<TriageItem> = {}): TriageItem {
  return {
    id: "item-1",
    clientId: "client-1",
    channelId: "channel-1",
    categoryKey: "product_safety",
    authority: "triage",
    playbookTriggered: true,
    receivedAt: SUNDAY_2AM,
    ...overrides,
  };
}

/** Decide, apply, and check that replaying the decision on the applied state does nothing new. */
function step(state: TriageState, now: Date, policy: TriagePolicy) {
  const decision = advanceTriage(state, now, policy);
  const after = applyTriageActions(state, decision.actions, now);
  const replay = advanceTriage(after, now, policy);
  expect(replay.actions).toEqual([]);
  expect(replay.next).toEqual(decision.next);
  // Applying the same actions twice (a retried store write) changes nothing either.
  expect(applyTriageActions(after, decision.actions, now)).toEqual(after);
  return { ...decision, state: after };
}

const types = (actions: TriageAction[]) => actions.map((action) => action.type);
const waitUntil = (iso: string): Wakeup => ({
  kind: "event",
  event: "escalations/escalation.resolved",
  timeoutAt: at(iso),
});

describe("advanceTriage: the out-of-hours scenario", () => {
  it("acknowledges at once, escalates, updates the customer, moves up a level, follows up and closes", () => {
    const policy = makePolicy();
    let state = createTriageState(makeItem());

    // Sunday 02:00: the acknowledgement target is 24×7, so it goes out now; level 1 is told at once,
    // but its two business hours only start on Monday at 09:00.
    let result = step(state, SUNDAY_2AM, policy);
    expect(result.actions).toEqual([
      {
        type: "send_acknowledgement",
        key: "item-1:acknowledgement",
        template: templates[0],
        dueAt: at("2026-11-22T02:15:00Z"),
      },
      {
        type: "escalate",
        key: "item-1:escalate:1",
        level: 1,
        contacts: ["duty-manager@brand.example"],
        respondBy: at("2026-11-23T11:00:00Z"),
      },
    ]);
    expect(result.next).toEqual(waitUntil("2026-11-22T14:00:00Z"));
    state = result.state;

    // Woken early (a redelivered event, a sweep): nothing to do, same wake-up.
    const early = advanceTriage(state, at("2026-11-22T09:00:00Z"), policy);
    expect(early).toEqual({ actions: [], next: waitUntil("2026-11-22T14:00:00Z") });

    const table: Array<{ now: string; expected: Partial<TriageAction>[]; next: Wakeup }> = [
      {
        now: "2026-11-22T14:00:00Z",
        expected: [{ type: "send_customer_update", sequence: 1 }],
        next: waitUntil("2026-11-23T02:00:00Z"),
      },
      {
        now: "2026-11-23T02:00:00Z",
        expected: [{ type: "send_customer_update", sequence: 2 }],
        next: waitUntil("2026-11-23T11:00:00Z"),
      },
      {
        // Monday 11:00: no answer within level 1's two business hours → remind it and go to level 2.
        now: "2026-11-23T11:00:00Z",
        expected: [
          {
            type: "remind_and_escalate",
            key: "item-1:remind:1",
            fromLevel: 1,
            toLevel: 2,
            remindContacts: ["duty-manager@brand.example"],
            contacts: ["head-of-care@brand.example"],
            respondBy: at("2026-11-23T12:00:00Z"),
          },
        ],
        next: waitUntil("2026-11-23T12:00:00Z"),
      },
    ];
    for (const row of table) {
      result = step(state, at(row.now), policy);
      expect(result.actions).toEqual(row.expected.map((expected) => expect.objectContaining(expected)));
      expect(result.next).toEqual(row.next);
      state = result.state;
    }

    // The client answers at 11:30: the follow-up reply goes out and the loop closes.
    state = recordEscalationAnswer(state, {
      answer: "We've recalled batch 42; DM us your order number for a refund.",
      answeredAt: at("2026-11-23T11:30:00Z"),
    });
    result = step(state, at("2026-11-23T11:30:00Z"), policy);
    expect(result.actions).toEqual([
      {
        type: "send_follow_up_reply",
        key: "item-1:follow-up",
        answer: "We've recalled batch 42; DM us your order number for a refund.",
      },
      { type: "close", key: "item-1:close", reason: "answered" },
    ]);
    expect(result.next).toEqual({ kind: "done" });
    expect(result.state.closed).toBe(true);
    expect(advanceTriage(result.state, at("2026-12-01T00:00:00Z"), policy)).toEqual({
      actions: [],
      next: { kind: "done" },
    });
  });

  it("queues the follow-up for a moderator when it is not automatic", () => {
    const policy = makePolicy({ autoSendFollowUp: false });
    let state = step(createTriageState(makeItem()), SUNDAY_2AM, policy).state;
    state = recordEscalationAnswer(state, { answer: "Refund approved.", answeredAt: at("2026-11-23T09:30:00Z") });
    const result = step(state, at("2026-11-23T09:30:00Z"), policy);
    expect(types(result.actions)).toEqual(["queue_follow_up_reply", "close"]);
    expect(result.actions[0]).toMatchObject({ answer: "Refund approved." });
  });
});

describe("advanceTriage: idempotency", () => {
  it("replaying every step twice, at every instant, never repeats an action", () => {
    const policy = makePolicy({ customerUpdateCadenceMinutes: 60 });
    let state = createTriageState(makeItem());
    const performed: TriageAction[] = [];
    let now = SUNDAY_2AM;
    for (let i = 0; i < 200 && !state.closed; i++) {
      for (let replay = 0; replay < 2; replay++) {
        const decision = advanceTriage(state, now, policy);
        performed.push(...decision.actions);
        state = applyTriageActions(state, decision.actions, now);
        if (decision.next.kind === "done") break;
        if (replay === 1) now = decision.next.kind === "at" ? decision.next.at : decision.next.timeoutAt;
      }
      if (now >= at("2026-11-23T13:00:00Z") && state.escalation.status !== "resolved") {
        state = recordEscalationAnswer(state, { answer: "Sorted.", answeredAt: now });
      }
    }
    const keys = performed.map((action) => action.key);
    expect(new Set(keys).size).toBe(keys.length);
    expect(types(performed).filter((type) => type === "send_acknowledgement")).toHaveLength(1);
    expect(types(performed).filter((type) => type === "remind_and_escalate")).toHaveLength(1);
    expect(types(performed).filter((type) => type === "remind")).toHaveLength(1);
    expect(types(performed).at(-1)).toBe("close");
  });

  it("a late wake-up performs each overdue action once (one customer update, one level up)", () => {
    const policy = makePolicy({ customerUpdateCadenceMinutes: 60 });
    const state = step(createTriageState(makeItem()), SUNDAY_2AM, policy).state;
    // Tuesday 17:00, long after level 1's Monday 11:00 deadline: level 2's hour runs 17:00–17:30 and 09:00–09:30.
    const late = step(state, at("2026-11-24T17:00:00Z"), policy);
    expect(types(late.actions)).toEqual(["remind_and_escalate", "send_customer_update"]);
    expect(late.actions[0]).toMatchObject({ respondBy: at("2026-11-25T09:30:00Z") });
  });
});

describe("advanceTriage: acknowledgements", () => {
  it("never posts the same acknowledgement twice in a row on a channel", () => {
    const policy = makePolicy();
    let lastOnChannel: string | null = null;
    const posted: string[] = [];
    for (let n = 1; n <= 7; n++) {
      const state = createTriageState(makeItem({ id: `item-${n}` }), { lastTemplateOnChannel: lastOnChannel });
      const { state: after, actions } = step(state, SUNDAY_2AM, policy);
      const ack = actions.find((action) => action.type === "send_acknowledgement");
      if (ack?.type !== "send_acknowledgement") throw new Error("expected an acknowledgement");
      posted.push(ack.template);
      lastOnChannel = after.acknowledgement.lastTemplateOnChannel;
    }
    for (let i = 1; i < posted.length; i++) expect(posted[i]).not.toBe(posted[i - 1]);
    expect(new Set(posted).size).toBe(templates.length);
  });

  it.each([
    {
      name: "not automatic",
      policy: makePolicy({ autoAcknowledge: false }),
      last: null,
      expected: { reason: "not_automatic", suggestedTemplate: templates[0] },
    },
    {
      name: "the only template was the last one posted",
      policy: makePolicy({ acknowledgement: { targetMinutes: 15, calendar: twentyFourSeven, templates: ["On it."] } }),
      last: "on it.",
      expected: { reason: "no_fresh_template", suggestedTemplate: null },
    },
    {
      name: "no templates",
      policy: makePolicy({ acknowledgement: { targetMinutes: 15, calendar: twentyFourSeven, templates: [] } }),
      last: null,
      expected: { reason: "no_fresh_template", suggestedTemplate: null },
    },
  ])("hands the acknowledgement to a moderator when $name, and still escalates", ({ policy, last, expected }) => {
    const state = createTriageState(makeItem(), { lastTemplateOnChannel: last });
    const result = step(state, SUNDAY_2AM, policy);
    expect(result.actions[0]).toEqual({
      type: "queue_acknowledgement_for_moderator",
      key: "item-1:acknowledgement",
      dueAt: at("2026-11-22T02:15:00Z"),
      ...expected,
    });
    expect(types(result.actions)).toEqual(["queue_acknowledgement_for_moderator", "escalate"]);
  });
});

describe("advanceTriage: customer updates", () => {
  it("sends updates at the cadence while open, and stops once answered", () => {
    const policy = makePolicy({ customerUpdateCadenceMinutes: 90 });
    let state = step(createTriageState(makeItem()), SUNDAY_2AM, policy).state;
    const sentAt: string[] = [];
    let now = SUNDAY_2AM;
    while (now < at("2026-11-22T09:00:00Z")) {
      const decision = advanceTriage(state, now, policy);
      for (const action of decision.actions) if (action.type === "send_customer_update") sentAt.push(now.toISOString());
      state = applyTriageActions(state, decision.actions, now);
      if (decision.next.kind !== "event") throw new Error("expected to wait for the answer");
      now = decision.next.timeoutAt;
    }
    expect(sentAt).toEqual([
      "2026-11-22T03:30:00.000Z",
      "2026-11-22T05:00:00.000Z",
      "2026-11-22T06:30:00.000Z",
      "2026-11-22T08:00:00.000Z",
    ]);
    state = recordEscalationAnswer(state, { answer: null, answeredAt: now });
    const closing = step(state, at("2026-11-22T12:00:00Z"), policy);
    expect(closing.actions).toEqual([{ type: "close", key: "item-1:close", reason: "resolved_without_answer" }]);
  });

  it("keeps updating but stops moving up levels once the contact acknowledges", () => {
    const policy = makePolicy({ customerUpdateCadenceMinutes: null });
    let state = step(createTriageState(makeItem()), SUNDAY_2AM, policy).state;
    state = recordEscalationAcknowledged(state);
    const result = step(state, at("2026-11-23T15:00:00Z"), policy);
    expect(result.actions).toEqual([]);
    // Nothing scheduled: look again in a day as a safety net.
    expect(result.next).toEqual(waitUntil("2026-11-24T15:00:00Z"));
  });
});

describe("advanceTriage: other paths", () => {
  it.each([
    {
      name: "the moderator may respond and no trigger matched",
      item: { authority: "respond", playbookTriggered: false },
    },
  ] as const)("closes at once when $name", ({ item }) => {
    const result = step(createTriageState(makeItem(item)), SUNDAY_2AM, makePolicy());
    expect(result.actions).toEqual([{ type: "close", key: "item-1:close", reason: "not_needed" }]);
    expect(result.next).toEqual({ kind: "done" });
  });

  it("triages a respond-authority item when a playbook trigger matched", () => {
    const result = step(
      createTriageState(makeItem({ authority: "respond", playbookTriggered: true })),
      SUNDAY_2AM,
      makePolicy(),
    );
    expect(types(result.actions)).toEqual(["send_acknowledgement", "escalate"]);
  });

  it("acknowledges and closes when the playbook has no levels", () => {
    const result = step(createTriageState(makeItem()), SUNDAY_2AM, makePolicy({ levels: [] }));
    expect(types(result.actions)).toEqual(["send_acknowledgement", "close"]);
    expect(result.actions[1]).toMatchObject({ reason: "no_escalation_levels" });
  });

  it("reminds the last level once when it runs out of time, then keeps waiting", () => {
    const policy = makePolicy({ levels: [makePolicy().levels[0]!], customerUpdateCadenceMinutes: null });
    const state = step(createTriageState(makeItem()), SUNDAY_2AM, policy).state;
    const result = step(state, at("2026-11-23T11:00:00Z"), policy);
    expect(result.actions).toEqual([
      { type: "remind", key: "item-1:remind:1", level: 1, contacts: ["duty-manager@brand.example"] },
    ]);
    expect(result.next).toEqual(waitUntil("2026-11-24T11:00:00Z"));
  });

  it("closes when the escalation is cancelled", () => {
    const policy = makePolicy();
    const state = recordEscalationCancelled(step(createTriageState(makeItem()), SUNDAY_2AM, policy).state);
    const result = step(state, at("2026-11-22T03:00:00Z"), policy);
    expect(result.actions).toEqual([{ type: "close", key: "item-1:close", reason: "escalation_cancelled" }]);
    expect(result.next).toEqual({ kind: "done" });
  });
});
