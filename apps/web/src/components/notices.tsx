import { useMutation, useQuery, useQueryClient } from "@tanstack/solid-query";
import { Show } from "solid-js";
import { useSession } from "../auth";
import { afterChange } from "../query";
import { trpc } from "../trpc";
import { createLiveEvents } from "./live";
import { NavLink } from "./nav-link";

export const noticesKey = (agencyId: string) => [agencyId, "notices"] as const;

/** Live events that come with a notice (escalations opened or reminded, drafts to approve, invoice drafts). */
const noticeEventTypes = new Set(["escalation.changed", "reply.changed", "invoice.changed"]);
/** Notices of other kinds arrive without an event of their own: the count is also re-read this often. */
const noticesRefreshMs = 60_000;

/** The caller's own notices, newest first, with the unread count (`escalations.inbox`). */
export function useNotices() {
  const session = useSession();
  return useQuery(() => ({
    queryKey: noticesKey(session.agencyId()),
    queryFn: () => trpc.escalations.inbox.query({ unreadOnly: false }),
    refetchInterval: noticesRefreshMs,
  }));
}

/** Mark some notices read, or (no ids) all of them. */
export function useMarkNoticesRead() {
  const session = useSession();
  const queryClient = useQueryClient();
  return useMutation(() => ({
    mutationFn: (notificationIds?: string[]) =>
      notificationIds ? trpc.escalations.markRead.mutate({ notificationIds }) : trpc.escalations.markAllRead.mutate(),
    ...afterChange(queryClient, { stale: () => [noticesKey(session.agencyId())] }),
  }));
}

/** The header's bell: the unread count, kept current over the live event stream, linking to the notices list. */
export function NoticesBell() {
  const session = useSession();
  const queryClient = useQueryClient();
  const notices = useNotices();
  createLiveEvents({
    onEvents: (events) => {
      if (events.some((event) => event.agencyId === session.agencyId() && noticeEventTypes.has(event.type))) {
        void queryClient.invalidateQueries({ queryKey: noticesKey(session.agencyId()) });
      }
    },
    onReconnect: () => void queryClient.invalidateQueries({ queryKey: noticesKey(session.agencyId()) }),
  });
  const unread = () => notices.data?.unread ?? 0;
  return (
    <NavLink href="/notices" class="button button--small notices-bell">
      {/* Drawn, not an emoji: without an emoji font (many Linux desktops) the emoji showed as an empty box. */}
      <svg class="notices-bell__icon" viewBox="0 0 24 24" aria-hidden="true">
        <path d="M6 16V11a6 6 0 0 1 12 0v5l2 2H4z M10 20a2 2 0 0 0 4 0" />
      </svg>
      <span class="sr-only">Notices</span>
      <Show when={unread() > 0}>
        <span class="notices-bell__count" data-testid="notices-unread">
          {unread()}
        </span>
        <span class="sr-only"> unread</span>
      </Show>
    </NavLink>
  );
}
