import { describe, expect, it } from "vitest";
import { noticeHref } from "./notice-links";

const id = "0190a6c8-0000-7000-8000-000000000001";

describe("noticeHref", () => {
  it.each([
    ["escalation", "client_stakeholder", `/portal/escalations/${id}`],
    ["escalation", "moderator", `/console/escalations/${id}`],
    ["escalation", "owner", `/console/escalations/${id}`],
    ["escalation", "account_manager", null],
    ["item", "moderator", `/console/items/${id}`],
    ["item", "client_stakeholder", null],
    ["item", "account_manager", null],
    ["reply", "client_stakeholder", `/portal/approvals/${id}`],
    ["reply", "admin", `/console/approvals/${id}`],
    ["invoice", "account_manager", `/accounts/invoices/${id}`],
    ["invoice", "client_stakeholder", "/portal"],
    ["invoice", "moderator", null],
    ["channel", "owner", "/admin/channels"],
    ["channel", "moderator", null],
    ["protocol_version", "owner", `/admin/protocols/versions/${id}`],
    ["protocol_version", "client_stakeholder", `/portal/protocol/versions/${id}`],
    ["protocol_version", "account_manager", null],
    ["delivery_incident", "owner", null],
    ["topic_digest", "client_stakeholder", "/portal#topics"],
    ["topic_digest", "account_manager", "/reports"],
    ["topic_digest", "moderator", null],
  ] as const)("links a %s notice for a %s to %s", (subjectType, role, expected) => {
    expect(noticeHref({ subjectType, subjectId: id }, role)).toBe(expected);
  });
});
