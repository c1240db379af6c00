import { useLocation, useNavigate, useParams, useSearchParams } from "@solidjs/router";
import { useInfiniteQuery, useMutation, useQueryClient } from "@tanstack/solid-query";
import { createMemo, createSignal, Match, onCleanup, onMount, Show, Switch } from "solid-js";
import { useSession } from "../../auth";
import { ApprovalsInbox, useApprovals } from "../../components/approvals-inbox";
import { escalationKeys } from "../../components/escalations";
import { createLiveEvents, type LiveEvent, LiveIndicator } from "../../components/live";
import { Page, QueryStatus } from "../../components/page";
import { createClocksByItem, useSlaBoard } from "../../components/sla-clock";
import { itemStatuses, priorities, type QueueFilters, riskFlags, workKeys } from "../../components/work";
import { toUiError } from "../../errors";
import { plural } from "../../format";
import { type RouterInputs, trpc } from "../../trpc";
import { type ItemActions, ItemPanel, type Notice } from "./item-panel";
import { QueueList } from "./queue-list";
import { type FilterName, QueueSidebar } from "./queue-sidebar";
import { isTypingTarget, ShortcutsHelp } from "./shortcuts";

const pageSize = 50;

/** Route query parameter of each filter: `/console?client=…&priority=P1`, `/console/items/<id>?client=…`. */
const filterParams = {
  client: "client",
  channel: "channel",
  priority: "priority",
  status: "status",
  risk: "risk",
} as const satisfies Record<FilterName, string>;
type FilterSearch = Partial<Record<(typeof filterParams)[FilterName], string>>;

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

function QueueWorkspace(props: { notify: (notice: Notice) => void }) {
  const session = useSession();
  const queryClient = useQueryClient();
  const navigate = useNavigate();
  const location = useLocation();
  const params = useParams<{ itemId?: string }>();
  const [search, setSearch] = useSearchParams<FilterSearch>();
  /** Filters change in place (replace); opening and closing an item is a step Back undoes. */
  const updateQuery = (changes: Record<string, string | null>) => setSearch(changes, { replace: true, scroll: false });
  const me = () => session.me().user.id;
  const [now, setNow] = createSignal(Date.now());
  const [selectedId, setSelectedId] = createSignal<string | null>(null);
  const [checked, setChecked] = createSignal<ReadonlySet<string>>(new Set());
  /** Items this moderator skipped, each left out of their claims until the time `queue.skip` answered. */
  const [skipped, setSkipped] = createSignal<Array<{ itemId: string; until: number }>>([]);
  const activeSkips = () =>
    skipped()
      .filter((entry) => entry.until > Date.now())
      .map((entry) => entry.itemId)
      .slice(-100);
  const [help, setHelp] = createSignal(false);
  let panel: ItemActions | null = null;

  const ticker = setInterval(() => setNow(Date.now()), 1000);
  onCleanup(() => clearInterval(ticker));

  const filters = createMemo<QueueFilters>(
    () => {
      const pick = (name: keyof FilterSearch) => search[name] || undefined;
      return {
        clientId: pick("client"),
        channelId: pick("channel"),
        priority: priorities.find((priority) => priority === pick("priority")),
        status: itemStatuses.find((status) => status === pick("status")),
        riskFlag: riskFlags.find((flag) => flag === pick("risk")),
      };
    },
    {},
    { equals: (a, b) => JSON.stringify(a) === JSON.stringify(b) },
  );
  const openId = () => params.itemId ?? null;
  const open = (id: string | null) =>
    navigate(`${id ? `/console/items/${encodeURIComponent(id)}` : "/console"}${location.search}`, { scroll: false });

  const queue = useInfiniteQuery(() => ({
    queryKey: workKeys.list(session.agencyId(), filters()),
    queryFn: ({ pageParam }: { pageParam: string | undefined }) =>
      trpc.queue.list.query({ ...filters(), cursor: pageParam, limit: pageSize }),
    initialPageParam: undefined as string | undefined,
    getNextPageParam: (last: { nextCursor: string | null }) => last.nextCursor ?? undefined,
    staleTime: 10_000,
  }));
  const items = createMemo(() => (queue.data?.pages ?? []).flatMap((page) => page.items));
  const slaBoard = useSlaBoard(() => filters().clientId);
  const clocks = createClocksByItem(() => slaBoard.data);

  const refreshAll = () => queryClient.invalidateQueries({ queryKey: workKeys.all(session.agencyId()) });

  const claim = useMutation(() => ({
    mutationFn: (input: RouterInputs["queue"]["claimNext"]) => trpc.queue.claimNext.mutate(input),
    onSettled: refreshAll,
  }));
  const claimNext = async () => {
    if (claim.isPending) return;
    try {
      const clientId = filters().clientId;
      const item = await claim.mutateAsync({ ...(clientId ? { clientId } : {}), skip: activeSkips() });
      if (item) {
        setSelectedId(item.id);
        open(item.id);
      } else {
        props.notify({
          text: clientId ? "Nothing is waiting in this client's queue." : "Nothing is waiting in your queues.",
          tone: "info",
        });
      }
    } catch (err) {
      props.notify({ text: `Couldn't claim: ${toUiError(err).message}`, tone: "error" });
    }
  };

  const bulk = useMutation(() => ({
    mutationFn: (input: RouterInputs["items"]["bulk"]) => trpc.items.bulk.mutate(input),
    onSettled: refreshAll,
  }));
  const runBulk = async (action: RouterInputs["items"]["bulk"]["action"]) => {
    const itemIds = [...checked()];
    if (itemIds.length === 0) return;
    try {
      await bulk.mutateAsync({ itemIds, action });
      setChecked(new Set<string>());
      props.notify({
        text: `${plural(itemIds.length, "item")} ${action === "hide" ? "hidden" : "marked as needing no action"}.`,
      });
    } catch (err) {
      props.notify({ text: `Bulk action failed: ${toUiError(err).message}`, tone: "error" });
    }
  };

  const toggle = (id: string, on: boolean) =>
    setChecked((prev) => {
      const next = new Set(prev);
      if (on) next.add(id);
      else next.delete(id);
      return next;
    });

  const move = (step: number) => {
    const list = items();
    if (list.length === 0) return;
    const at = list.findIndex((item) => item.id === (selectedId() ?? openId()));
    const next = at === -1 ? (step > 0 ? 0 : list.length - 1) : Math.min(list.length - 1, Math.max(0, at + step));
    setSelectedId(list[next]?.id ?? null);
    if (next === list.length - 1 && queue.hasNextPage && !queue.isFetchingNextPage) void queue.fetchNextPage();
  };

  const onKey = (event: KeyboardEvent) => {
    if (event.defaultPrevented || event.ctrlKey || event.metaKey || event.altKey) return;
    if (document.querySelector("dialog[open]")) return;
    if (isTypingTarget(event.target)) return;
    const onControl = event.target instanceof HTMLElement && event.target.closest("button, a, input, summary");
    switch (event.key) {
      case "j":
        move(1);
        break;
      case "k":
        move(-1);
        break;
      case "Enter": {
        if (onControl) return;
        const id = selectedId();
        if (!id) return;
        open(id);
        break;
      }
      case "x": {
        const id = selectedId();
        if (!id) return;
        toggle(id, !checked().has(id));
        break;
      }
      case "c":
        void claimNext();
        break;
      case "s":
        if (!panel) return;
        panel.skip();
        break;
      case "r":
        if (!panel) return;
        panel.focusReply();
        break;
      case "h":
        if (!panel) return;
        panel.hide();
        break;
      case "n":
        if (!panel) return;
        panel.noAction();
        break;
      case "e":
        if (!panel) {
          props.notify({ text: "Open an item first, then press e to escalate it.", tone: "info" });
          return;
        }
        panel.escalate();
        break;
      case "?":
        setHelp(true);
        break;
      default:
        return;
    }
    event.preventDefault();
  };
  onMount(() => window.addEventListener("keydown", onKey));
  onCleanup(() => window.removeEventListener("keydown", onKey));

  return (
    <div class="console__grid">
      <QueueSidebar
        filters={filters()}
        onFilter={(name, value) => {
          const changes: Record<string, string | null> = { [filterParams[name]]: value };
          // A channel belongs to one client: picking another client drops the channel filter.
          if (name === "client") changes.channel = null;
          updateQuery(changes);
          setChecked(new Set<string>());
        }}
        onClear={() => updateQuery({ client: null, channel: null, priority: null, status: null, risk: null })}
      />

      <section class="console__list" aria-labelledby="queue-title">
        <div class="console__heading-row">
          <h2 class="console__heading" id="queue-title">
            Queue
            <Show when={queue.isSuccess}>
              <span class="muted">
                {" "}
                · {items().length}
                {queue.hasNextPage ? "+" : ""} listed
              </span>
            </Show>
          </h2>
          <span class="console__list-actions">
            <button
              type="button"
              class="button button--primary button--small"
              aria-keyshortcuts="c"
              aria-disabled={claim.isPending ? "true" : undefined}
              onClick={() => void claimNext()}
            >
              Claim next <kbd>c</kbd>
            </button>
            <button
              type="button"
              class="button button--ghost button--small"
              aria-label="Keyboard shortcuts"
              aria-keyshortcuts="?"
              onClick={() => setHelp(true)}
            >
              <kbd>?</kbd>
            </button>
          </span>
        </div>

        <Show when={checked().size > 0}>
          <div class="bulk-bar">
            <span>{plural(checked().size, "item")} selected</span>
            <button
              type="button"
              class="button button--small"
              aria-disabled={bulk.isPending ? "true" : undefined}
              onClick={() => void runBulk("hide")}
            >
              Hide selected
            </button>
            <button
              type="button"
              class="button button--small"
              aria-disabled={bulk.isPending ? "true" : undefined}
              onClick={() => void runBulk("no_action")}
            >
              No action for selected
            </button>
            <button
              type="button"
              class="button button--ghost button--small"
              onClick={() => setChecked(new Set<string>())}
            >
              Clear selection
            </button>
          </div>
        </Show>

        <QueryStatus
          loading={queue.isPending}
          error={queue.isError ? toUiError(queue.error).message : null}
          what="the queue"
          onRetry={() => void queue.refetch()}
        />
        <Switch>
          <Match when={queue.isSuccess && items().length === 0}>
            <p class="empty">
              {Object.entries(filters()).some(([name, value]) => value && name !== "clientId")
                ? "Nothing matches these filters."
                : "Nothing is waiting here right now. New items appear as they arrive."}
            </p>
          </Match>
          <Match when={queue.isSuccess && items().length > 0}>
            <QueueList
              items={items()}
              me={me()}
              now={now()}
              clocks={clocks()}
              clocksAt={slaBoard.data?.at}
              selectedId={selectedId()}
              openId={openId()}
              checked={checked()}
              onSelect={setSelectedId}
              onOpen={(id) => open(id)}
              onToggle={toggle}
              onToggleAll={(on) => setChecked(on ? new Set(items().map((item) => item.id)) : new Set<string>())}
            />
            <Show when={queue.hasNextPage}>
              <button
                type="button"
                class="button button--block"
                aria-disabled={queue.isFetchingNextPage ? "true" : undefined}
                onClick={() => void queue.fetchNextPage()}
              >
                {queue.isFetchingNextPage ? "Loading…" : "Load more"}
              </button>
            </Show>
          </Match>
        </Switch>
      </section>

      <Show
        when={openId()}
        keyed
        fallback={
          <section class="console__item console__item--empty" aria-label="Open item">
            <p class="empty">
              Press <kbd>c</kbd> to claim the next item, or pick one from the queue (<kbd>j</kbd>/<kbd>k</kbd>, then{" "}
              <kbd>Enter</kbd>). <kbd>?</kbd> lists every shortcut.
            </p>
          </section>
        }
      >
        {(itemId) => (
          <ItemPanel
            itemId={itemId}
            me={me()}
            now={now()}
            register={(actions) => {
              panel = actions;
            }}
            notify={props.notify}
            onSkip={async (skippedId) => {
              const { skipUntil } = await trpc.queue.skip.mutate({ itemId: skippedId });
              setSkipped((prev) => [
                ...prev.filter((entry) => entry.until > Date.now() && entry.itemId !== skippedId),
                { itemId: skippedId, until: skipUntil.getTime() },
              ]);
              void refreshAll();
              await claimNext();
            }}
            onClose={() => open(null)}
          />
        )}
      </Show>

      <Show when={help()}>
        <ShortcutsHelp onClose={() => setHelp(false)} />
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
  const params = useParams<{ replyId?: string }>();
  const isLead = () => session.role() === "owner" || session.role() === "admin";
  const tab = () => (isLead() && location.pathname.startsWith("/console/approvals") ? "approvals" : "queue");

  const onEvents = (events: LiveEvent[]) => {
    const agencyId = session.agencyId();
    let queueChanged = false;
    let repliesChanged = false;
    let clocksChanged = false;
    const changedItems = new Set<string>();
    for (const event of events) {
      if (event.agencyId !== agencyId) continue;
      if (event.type === "queue.changed") queueChanged = true;
      else if (event.type === "item.changed") {
        queueChanged = true;
        if (event.subjectId) changedItems.add(event.subjectId);
      } else if (event.type === "reply.changed") repliesChanged = true;
      else if (event.type === "escalation.changed" || event.type === "clock.changed") {
        repliesChanged = true;
        clocksChanged = true;
      }
    }
    // New and answered items start and stop clocks too.
    if (clocksChanged || queueChanged) void queryClient.invalidateQueries({ queryKey: escalationKeys.sla(agencyId) });
    if (queueChanged) {
      void queryClient.invalidateQueries({ queryKey: workKeys.counts(agencyId) });
      void queryClient.invalidateQueries({ queryKey: workKeys.lists(agencyId) });
    }
    for (const itemId of changedItems)
      void queryClient.invalidateQueries({ queryKey: workKeys.item(agencyId, itemId) });
    if (repliesChanged) {
      // A reply event names the reply, not its item: refresh the open item (the only one being watched).
      void queryClient.invalidateQueries({ queryKey: workKeys.items(agencyId) });
      void queryClient.invalidateQueries({ queryKey: workKeys.approvals(agencyId) });
    }
  };
  const live = createLiveEvents({
    onEvents,
    onReconnect: () => void queryClient.invalidateQueries({ queryKey: workKeys.all(session.agencyId()) }),
  });

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
            <LiveIndicator status={live()} />
          </div>
        }
      >
        <Notices notice={notice()} onDismiss={() => setNotice(null)} />
        <Show when={tab() === "approvals"} fallback={<QueueWorkspace notify={notify} />}>
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
