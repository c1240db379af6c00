import { describe, expect, it } from "vitest";
import { ALWAYS_OPEN, type BusinessCalendar, resolveCalendar } from "../sla/business-calendar";
import { parsePlaybookDocument, playbookMatches, toTriagePolicy } from "./playbooks";

const document = parsePlaybookDocument({
  triggers: { categories: ["account_hacked"], riskFlags: ["legal"], keywords: ["Class Action"], priorities: ["P1"] },
  levels: [
    {
      contacts: {
        portalUserIds: ["0190f5c2-0000-7000-8000-000000000001"],
        emails: ["duty@brand.test"],
        webhookUrl: "https://hooks.brand.test/x",
      },
      respondWithinMinutes: 120,
      calendar: "business_hours",
    },
  ],
  autoAcknowledge: true,
});
const subject = { categoryKey: "general", riskFlags: [] as string[], priority: "P3", body: "hello" };

describe("playbookMatches", () => {
  it.each([
    ["a trigger category", { ...subject, categoryKey: "account_hacked" }, true],
    ["a trigger risk flag", { ...subject, riskFlags: ["press", "legal"] }, true],
    ["a keyword, whatever the case", { ...subject, body: "We're starting a class action" }, true],
    ["a trigger priority", { ...subject, priority: "P1" }, true],
    ["nothing", subject, false],
  ])("matches on %s: %s", (_, candidate, expected) => {
    expect(playbookMatches(document, candidate)).toBe(expected);
  });

  it("never matches with empty triggers", () => {
    const empty = parsePlaybookDocument({ levels: [{ respondWithinMinutes: 5, calendar: "24x7" }] });
    expect(playbookMatches(empty, { ...subject, priority: "P1", categoryKey: "account_hacked" })).toBe(false);
  });
});

describe("toTriagePolicy", () => {
  const businessHours: BusinessCalendar = { timeZone: "Europe/London", weekly: { mon: [["09:00", "17:30"]] } };

  it("runs business-hours levels on the client's calendar, 24×7 targets around the clock", () => {
    const policy = toTriagePolicy({ document, clientCalendar: businessHours, acknowledgementTemplates: ["a", "b"] });
    expect(policy).toMatchObject({
      autoAcknowledge: true,
      autoSendFollowUp: false,
      acknowledgement: { targetMinutes: 15, calendar: ALWAYS_OPEN, templates: ["a", "b"] },
      levels: [
        {
          contacts: [
            "user:0190f5c2-0000-7000-8000-000000000001",
            "email:duty@brand.test",
            "webhook:https://hooks.brand.test/x",
          ],
          respondWithinMinutes: 120,
          calendar: businessHours,
        },
      ],
    });
  });

  it("covers a client without business hours around the clock", () => {
    expect(resolveCalendar("business_hours", null)).toBe(ALWAYS_OPEN);
  });

  it("names every bad field under document.", () => {
    expect(() =>
      parsePlaybookDocument({
        levels: [{ respondWithinMinutes: 0, calendar: "weekends", contacts: { emails: ["nope"] } }],
      }),
    ).toThrow(
      expect.objectContaining({
        code: "BAD_INPUT",
        details: expect.objectContaining({
          fields: {
            "document.levels.0.respondWithinMinutes": "respond within must be positive",
            "document.levels.0.calendar": 'calendar must be "24x7" or "business_hours"',
            "document.levels.0.contacts.emails.0": "“nope” is not an e-mail address",
          },
        }),
      }),
    );
  });
});
