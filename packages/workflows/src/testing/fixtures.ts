import { randomUUID } from "node:crypto";
import type { TriageItem, TriagePolicy } from "@parley/core/escalations";
import type { BusinessCalendar } from "@parley/core/sla";

/**
 * FOR TESTS ONLY. Shared fixtures for this package's tests: the scenario — an item at 02:00 on a Sunday
 * (Europe/London, GMT in November) for a client with business-hours cover and a 24×7
 * acknowledgement target of 15 minutes.
 */
export const at = (iso: string) => new Date(iso);
export const SUNDAY_2AM = at("2026-11-22T02:00:00Z");

const weekday: [string, string][] = [["09:00", "17:30"]];
export const businessHours: BusinessCalendar = {
  timeZone: "Europe/London",
  weekly: { mon: weekday, tue: weekday, wed: weekday, thu: weekday, fri: weekday },
};
const allDay: [string, string][] = [["00:00", "24:00"]];
export const twentyFourSeven: BusinessCalendar = {
  timeZone: "Europe/London",
  weekly: { sun: allDay, mon: allDay, tue: allDay, wed: allDay, thu: allDay, fri: allDay, sat: allDay },
};

export function makePolicy(overrides: Partial<TriagePolicy> = {}): TriagePolicy {
  return {
    autoAcknowledge: true,
    acknowledgement: {
      targetMinutes: 15,
      calendar: twentyFourSeven,
      templates: ["Thanks for flagging this, we're on it.", "Sorry about this. It's with the right team now."],
    },
    levels: [
      { contacts: ["duty-manager@brand.example"], respondWithinMinutes: 120, calendar: businessHours },
      { contacts: ["head-of-care@brand.example"], respondWithinMinutes: 60, calendar: businessHours },
    ],
    customerUpdateCadenceMinutes: null,
    autoSendFollowUp: true,
    ...overrides,
  };
}

export function makeIds() {
  return { agencyId: randomUUID(), clientId: randomUUID(), channelId: randomUUID(), itemId: randomUUID() };
}

export function makeItem(ids: ReturnType<typeof makeIds>, overrides: Partial<TriageItem> = {}): TriageItem {
  return {
    id: ids.itemId,
    clientId: ids.clientId,
    channelId: ids.channelId,
    categoryKey: "product_safety",
    authority: "triage",
    playbookTriggered: false,
    receivedAt: SUNDAY_2AM,
    ...overrides,
  };
}

/** A clock the test moves by hand. */
export function createFakeClock(start: Date) {
  let current = start;
  return {
    now: () => current,
    set(to: Date) {
      current = to;
    },
  };
}
