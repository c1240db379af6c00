import type { LiveEvent } from "@parley/contracts";
import { useLocation, useParams } from "@solidjs/router";
import { useQuery, useQueryClient } from "@tanstack/solid-query";
import { createSignal, For, onCleanup, Show } from "solid-js";
import { useSession } from "../../auth";
import { ApprovalsInbox, useApprovals } from "../../components/approvals-inbox";
import { useClients } from "../../components/clients";
import { escalationKeys } from "../../components/escalations";
import { createLiveEvents, LiveIndicator } from "../../components/live";
import { createRefreshGroup } from "../../components/live-refresh";
import { Page } from "../../components/page";
import { type QueueCount, workKeys } from "../../components/work";
import { formatDateTime } from "../../format";
import { canEnter } from "../../roles";
import { trpc } from "../../trpc";
import { ConsoleSettingsMenu, createConsoleSettings, useP1Alerts } from "./console-settings";
import type { Notice } from "./item-panel";
import { useQueueCounts } from "./queue-sidebar";
import { QueueWorkspace } from "./queue-workspace";
import { type SpikingClient, spikeBanner } from "./volume-spikes";

function Notices(props: { notice: Notice | null; onDismiss: () => void }) {
  return (
    <div class="status-region console__notice" role="status">
      <Show when={props.notice}>
        {(notice) => (
          <div
            class="alert"
            classList={{
              "alert--success": (notice().tone ?? "success") === "success",
              "alert--error": notice().tone === "error",
              "alert--info": notice().tone === "info",
            }}
          >
            <span>{notice().text}</span>
            <span class="alert__actions">
              <Show when={notice().action}>
                {(action) => (
                  <button
                    type="button"
                    class="button button--small"
                    onClick={() => {
                      props.onDismiss();
                      action().run();
                    }}
                  >
                    {action().label}
                  </button>
                )}
              </Show>
              <button type="button" class="button button--ghost button--small" onClick={() => props.onDismiss()}>
                Dismiss
              </button>
            </span>
          </div>
        )}
      </Show>
    </div>
  );
}

function LeadApprovalCount() {
  const approvals = useApprovals();
  return (
    <Show when={(approvals.data ?? []).length > 0}>
      <span class="tabs__count">
        {(approvals.data ?? []).length}
        <span class="sr-only"> waiting</span>
      </span>
    </Show>
  );
}

/**
 * A banner per channel with an open delivery incident (failures in a row, or a refusal such as a revoked token):
 * what the moderator sends there is not reaching the public. Refreshed every 15 s.
 */
function ChannelIncidents() {
  const session = useSession();
  const channels = useQuery(() => ({
    queryKey: [...workKeys.all(session.agencyId()), "channel-incidents"] as const,
    queryFn: () => trpc.channels.list.query({}),
    refetchInterval: 15_000,
  }));
  const clients = useClients(() => false);
  const clientName = (id: string) => clients.data?.find((client) => client.id === id)?.name ?? "a client";
  const open = () => (channels.data ?? []).filter((channel) => channel.incident);
  return (
    <For each={open()}>
      {(channel) => (
        <div class="alert alert--error channel-incident" role="alert" data-channel-id={channel.id}>
          <span>
            <strong>
              {clientName(channel.clientId)}: deliveries are failing on {channel.displayName}
            </strong>{" "}
            since {formatDateTime(channel.incident?.openedAt ?? new Date())} —{" "}
            {channel.incident?.reason ?? "no reason given"}. Replies, hides and deletes there are not reaching the
            public.
          </span>
        </div>
      )}
    </For>
  );
}

/**
 * The clients in a volume spike (core/floor's detection: its rate far above its usual rate for the hour of the week),
 * from the live counts, in one banner (`spikeBanner`); gone when the spikes are over. Leads get a link to the floor.
 */
function VolumeSpikes(props: { counts: QueueCount[] | undefined }) {
  const session = useSession();
  const banner = () =>
    spikeBanner((props.counts ?? []).filter((count): count is QueueCount & SpikingClient => count.spike !== null));
  return (
    <Show when={banner()}>
      {(shown) => (
        <div class="alert alert--info volume-spike" role="alert">
          <span>
            <strong>{shown().title}</strong>: {shown().detail}
          </span>
          <Show when={canEnter(session.role(), "floor")}>
            <a class="button button--small" href="/floor">
              Floor view
            </a>
          </Show>
        </div>
      )}
    </Show>
  );
}

/** The moderator's workspace: live queues, the open item and its reply, and (for agency leads) approvals. */
export function ConsolePage() {
  const session = useSession();
  const queryClient = useQueryClient();
  const [notice, setNotice] = createSignal<Notice | null>(null);
  let noticeTimer: ReturnType<typeof setTimeout> | undefined;
  const notify = (next: Notice) => {
    setNotice(next);
    clearTimeout(noticeTimer);
    // Errors stay until dismissed; confirmations fade so the next action starts clean.
    if (next.tone !== "error") noticeTimer = setTimeout(() => setNotice(null), next.action ? 10_000 : 6_000);
  };
  onCleanup(() => clearTimeout(noticeTimer));

  const location = useLocation();
  const params = useParams<{ replyId?: string; itemId?: string }>();
  const isLead = () => session.role() === "owner" || session.role() === "admin";
  const tab = () => (isLead() && location.pathname.startsWith("/console/approvals") ? "approvals" : "queue");

  const settings = createConsoleSettings();
  const counts = useQueueCounts();
  useP1Alerts(() => counts.data, settings);

  // Each group refreshes on its own, coalesced and never cancelling a fetch in flight (see createRefreshGroup).
  const agencyId = () => session.agencyId();
  const refresh = {
    counts: createRefreshGroup(queryClient, () => workKeys.counts(agencyId()), { minGapMs: 500 }),
    lists: createRefreshGroup(queryClient, () => workKeys.lists(agencyId()), { minGapMs: 750 }),
    items: createRefreshGroup(queryClient, () => workKeys.items(agencyId()), { minGapMs: 500 }),
    approvals: createRefreshGroup(queryClient, () => workKeys.approvals(agencyId()), { minGapMs: 1_000 }),
    // Heavy, and only a side panel here: on its own slow cadence.
    sla: createRefreshGroup(queryClient, () => escalationKeys.sla(agencyId()), { minGapMs: 15_000 }),
  };
  const requestQueue = () => {
    refresh.counts.request();
    refresh.lists.request();
  };

  const onEvents = (events: LiveEvent[]) => {
    let queueChanged = false;
    let openItemChanged = false;
    let repliesChanged = false;
    let clocksChanged = false;
    for (const event of events) {
      if (event.agencyId !== agencyId()) continue;
      if (event.type === "queue.changed") queueChanged = true;
      else if (event.type === "item.changed") {
        queueChanged = true;
        if (event.subjectId && event.subjectId === params.itemId) openItemChanged = true;
      } else if (event.type === "reply.changed") repliesChanged = true;
      else if (event.type === "escalation.changed" || event.type === "clock.changed") {
        repliesChanged = true;
        clocksChanged = true;
      }
    }
    if (queueChanged) requestQueue();
    // A reply or clock event names the reply or clock, not its item: refresh the open item (the only one watched).
    if (openItemChanged || repliesChanged) refresh.items.request();
    if (repliesChanged) refresh.approvals.request();
    if (clocksChanged || queueChanged) refresh.sla.request();
  };
  const live = createLiveEvents({
    onEvents,
    onReconnect: () => {
      for (const group of Object.values(refresh)) group.request();
    },
  });
  const [now, setNow] = createSignal(Date.now());
  const ticker = setInterval(() => setNow(Date.now()), 1_000);
  onCleanup(() => clearInterval(ticker));
  /** The queue's freshness (counts and list): the chip says how old it is when a refresh is outstanding. */
  const freshness = () => {
    const behind = [refresh.counts.behindSince(), refresh.lists.behindSince()].filter(
      (at): at is number => at !== null,
    );
    return {
      behindSince: behind.length > 0 ? Math.min(...behind) : null,
      freshAt: Math.min(refresh.counts.freshAt(), refresh.lists.freshAt()),
      now: now(),
    };
  };

  return (
    <div class="console">
      <Page
        title="Console"
        actions={
          <div class="console__bar">
            <Show when={isLead()}>
              <nav class="tabs" aria-label="Console sections">
                <a href="/console" class="tabs__link" aria-current={tab() === "queue" ? "page" : undefined}>
                  Queue
                </a>
                <a
                  href="/console/approvals"
                  class="tabs__link"
                  aria-current={tab() === "approvals" ? "page" : undefined}
                >
                  Approvals
                  <LeadApprovalCount />
                </a>
              </nav>
            </Show>
            <ConsoleSettingsMenu settings={settings} />
            <LiveIndicator status={live()} freshness={freshness()} />
          </div>
        }
      >
        <ChannelIncidents />
        <VolumeSpikes counts={counts.data} />
        <Notices notice={notice()} onDismiss={() => setNotice(null)} />
        <Show
          when={tab() === "approvals"}
          fallback={<QueueWorkspace notify={notify} settings={settings} onQueueChanged={requestQueue} />}
        >
          <div class="console__approvals">
            <p class="muted">
              Drafts in categories that need approval, for clients without a stakeholder who approves: the agency's
              leads decide them.
            </p>
            <ApprovalsInbox
              emptyText="No drafts are waiting for an agency lead's approval."
              replyId={params.replyId}
              href={(replyId) => (replyId ? `/console/approvals/${replyId}` : "/console/approvals")}
            />
          </div>
        </Show>
      </Page>
    </div>
  );
}
