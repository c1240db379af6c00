import type { Role } from "@parley/contracts";
import { canVisit } from "./roles";

/** What a notice is about, as `escalations.inbox` lists it. */
export interface NoticeSubject {
  subjectType: string;
  subjectId: string;
}

/**
 * The screen a notice opens for this role, derived from its subject, or null when the role has no screen for it
 * (a notice of a kind this app does not know yet is listed without a link). Every address is a real path, so it
 * also works from an e-mail or after signing in.
 */
export function noticeHref(notice: NoticeSubject, role: Role): string | null {
  const id = encodeURIComponent(notice.subjectId);
  const portal = role === "client_stakeholder";
  const href = (() => {
    switch (notice.subjectType) {
      case "escalation":
        return portal ? `/portal/escalations/${id}` : `/console/escalations/${id}`;
      case "item":
        return `/console/items/${id}`;
      case "reply":
        return portal ? `/portal/approvals/${id}` : `/console/approvals/${id}`;
      case "invoice":
        return portal ? "/portal" : `/accounts/invoices/${id}`;
      case "protocol_version":
        return portal ? `/portal/protocol/versions/${id}` : `/admin/protocols/versions/${id}`;
      case "channel":
        return "/admin/channels";
      case "volume_spike":
        return "/floor";
      case "topic_digest":
        return portal ? "/portal#topics" : "/reports";
      case "client":
        return portal ? "/portal" : "/accounts";
      default:
        return null;
    }
  })();
  return href && canVisit(role, href) ? href : null;
}
