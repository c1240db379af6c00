import { useLocation, useNavigate, useParams, useSearchParams } from "@solidjs/router";
import { useInfiniteQuery, useMutation, useQuery, useQueryClient } from "@tanstack/solid-query";
import { createMemo, createSignal, createUniqueId, For, Match, onCleanup, Show, Switch } from "solid-js";
import { useSession } from "../../auth";
import { ConfirmDialog, Dialog } from "../../components/dialog";
import { QueryStatus } from "../../components/page";
import { LoadMore } from "../../components/query-table";
import {
  type ClaimedItem,
  itemStatuses,
  priorities,
  type QueueFilters,
  type QueueSort,
  type QueueView,
  queueSorts,
  queueViews,
  riskFlags,
  workKeys,
} from "../../components/work";
import { toUiError } from "../../errors";
import { plural } from "../../format";
import { type RouterInputs, trpc } from "../../trpc";
import { type BulkAction, createBulkActions } from "./bulk-actions";
import type { ConsoleSettings } from "./console-settings";
import { type ItemActions, ItemPanel, type Notice } from "./item-panel";
import { ClusterDialog, type ItemCluster, QueueClusters } from "./queue-clusters";
import { QueueList } from "./queue-list";
import { type FilterName, QueueSidebar, useQueueCounts } from "./queue-sidebar";
import { ShortcutsHelp, useConsoleKeys } from "./shortcuts";

const pageSize = 50;
/** Clusters are a heavy read (every open item's text): refreshed on their own, slower cadence. */
const clustersRefreshMs = 15_000;

/** Route query parameter of each filter: `/console?client=…&priority=P1`, `/console/items/<id>?client=…`. */
const filterParams = {
  client: "client",
  channel: "channel",
  priority: "priority",
  status: "status",
  risk: "risk",
  view: "view",
  sort: "sort",
} as const satisfies Record<FilterName, string>;
type FilterSearch = Partial<Record<(typeof filterParams)[FilterName], string>>;

/**
 * The queue's filters as the address holds them (`?client=…&priority=P1`): read, changed in place (a filter
 * is no step Back undoes), and cleared.
 */
function useQueueFilters() {
  const [search, setSearch] = useSearchParams<FilterSearch>();
  const update = (changes: Record<string, string | null>) => setSearch(changes, { replace: true, scroll: false });
  const filters = createMemo<QueueFilters>(
    () => {
      const pick = (name: keyof FilterSearch) => search[name] || undefined;
      return {
        clientId: pick("client"),
        channelId: pick("channel"),
        priority: priorities.find((priority) => priority === pick("priority")),
        status: itemStatuses.find((status) => status === pick("status")),
        riskFlag: riskFlags.find((flag) => flag === pick("risk")),
        view: queueViews.find((view) => view === pick("view") && view !== "queue"),
        sort: queueSorts.find((sort) => sort === pick("sort") && sort !== "queue"),
      };
    },
    {},
    { equals: (a, b) => JSON.stringify(a) === JSON.stringify(b) },
  );
  return {
    filters,
    set(name: FilterName, value: string | null) {
      // A channel belongs to one client: picking another client drops the channel filter.
      update(name === "client" ? { client: value, channel: null } : { [filterParams[name]]: value });
    },
    clear: () => update({ client: null, channel: null, priority: null, status: null, risk: null }),
  };
}

/** The filtered queue, fetched page by page, and its items so far. */
function createQueueListing(agencyId: () => string, filters: () => QueueFilters) {
  const queue = useInfiniteQuery(() => ({
    queryKey: workKeys.list(agencyId(), filters()),
    queryFn: ({ pageParam }: { pageParam: string | undefined }) =>
      trpc.queue.list.query({ ...filters(), cursor: pageParam, limit: pageSize }),
    initialPageParam: undefined as string | undefined,
    getNextPageParam: (last: { nextCursor: string | null }) => last.nextCursor ?? undefined,
    staleTime: 10_000,
  }));
  // Near-identical open items (one incident) show as one cluster row each, in the queue view.
  const queryClient = useQueryClient();
  const clustersKey = () => [...workKeys.all(agencyId()), "clusters", filters().clientId ?? null] as const;
  const clustersInput = () => (filters().clientId ? { clientId: filters().clientId } : {});
  const clusters = useQuery(() => ({
    queryKey: clustersKey(),
    queryFn: () => trpc.queue.clusters.query(clustersInput()),
    enabled: !filters().view,
    refetchInterval: clustersRefreshMs,
    staleTime: clustersRefreshMs,
  }));
  const clustered = createMemo(
    () => new Set((filters().view ? [] : (clusters.data?.clusters ?? [])).flatMap((cluster) => cluster.itemIds)),
  );
  // Each row's clock was read with its page: it ticks from that instant.
  const items = createMemo(() =>
    (queue.data?.pages ?? []).flatMap((page) =>
      page.items.filter((item) => !clustered().has(item.id)).map((item) => ({ ...item, clockAt: page.at })),
    ),
  );
  /** How many items the pages read so far hold, clustered ones included. */
  const read = () => (queue.data?.pages ?? []).reduce((total, page) => total + page.items.length, 0);
  /** After acting on a cluster: worked out now, not the reading the consoles share, which still holds it. */
  const refreshClusters = async () => {
    try {
      queryClient.setQueryData(clustersKey(), await trpc.queue.clusters.query({ ...clustersInput(), fresh: true }));
    } catch {
      // Shown by the query's own refetch, which reports its error as usual.
      await clusters.refetch();
    }
  };
  return { queue, items, read, clusters, refreshClusters };
}
type QueueListing = ReturnType<typeof createQueueListing>;

/** The checked items' count and what can be done to all of them at once. */
function BulkBar(props: { count: number; busy: boolean; onRun: (action: BulkAction) => void; onClear: () => void }) {
  return (
    <div class="bulk-bar">
      <span>{plural(props.count, "item")} selected</span>
      <button
        type="button"
        class="button button--small"
        aria-disabled={props.busy ? "true" : undefined}
        onClick={() => props.onRun("hide")}
      >
        Hide selected
      </button>
      <button
        type="button"
        class="button button--small"
        aria-disabled={props.busy ? "true" : undefined}
        onClick={() => props.onRun("no_action")}
      >
        No action for selected
      </button>
      <button type="button" class="button button--ghost button--small" onClick={() => props.onClear()}>
        Clear selection
      </button>
    </div>
  );
}

const viewLabels: Record<QueueView, string> = {
  queue: "Queue",
  mine: "My items",
  at_risk: "At risk",
  breached: "Breached",
};

/**
 * What an empty list says. `inIncidents`: the items read so far, all shown as incident rows instead (a spike's first
 * pages can be nothing else): waiting items, not "nothing waiting".
 */
function emptyText(filters: QueueFilters, inIncidents: number): string {
  if (inIncidents > 0) {
    return `The ${plural(inIncidents, "item")} read so far all belong to incidents of near-identical items, one row each.`;
  }
  if (filters.view === "mine") return "You hold no items. Claim the next one with c.";
  if (filters.view === "at_risk") return "No item's SLA clock is at risk right now.";
  if (filters.view === "breached") return "No running SLA clock has breached.";
  return Object.entries(filters).some(([name, value]) => value && name !== "clientId" && name !== "sort")
    ? "Nothing matches these filters."
    : "Nothing is waiting here right now. New items appear as they arrive.";
}

/** The centre column: the queue's heading and claim button, the bulk bar, then the items, 50 at a time. */
function QueueColumn(props: {
  listing: QueueListing;
  filters: QueueFilters;
  me: string;
  now: number;
  held: number;
  selectedId: string | null;
  openId: string | null;
  checked: ReadonlySet<string>;
  claiming: boolean;
  bulkBusy: boolean;
  onView: (view: QueueView) => void;
  onSort: (sort: QueueSort) => void;
  onToggleSide: () => void;
  onClaim: () => void;
  onHelp: () => void;
  onSelect: (id: string) => void;
  onOpen: (id: string) => void;
  onToggle: (id: string, checked: boolean) => void;
  onCheck: (ids: ReadonlySet<string>) => void;
  onBulk: (action: BulkAction) => void;
  onActOnCluster: (cluster: ItemCluster) => void;
}) {
  const queue = () => props.listing.queue;
  const items = () => props.listing.items();
  const view = () => props.filters.view ?? "queue";
  /** The incidents listed above the table (the queue view only): each is one row for all its items. */
  const incidents = () => (props.filters.view ? 0 : (props.listing.clusters.data?.clusters.length ?? 0));
  const sortId = createUniqueId();
  return (
    <section class="console__list" aria-labelledby="queue-title">
      <fieldset class="queue-views">
        <legend class="sr-only">Views</legend>
        <For each={queueViews}>
          {(option) => (
            <button
              type="button"
              class="queue-views__option"
              aria-pressed={view() === option}
              onClick={() => props.onView(option)}
            >
              {viewLabels[option]}
              <Show when={option === "mine" && props.held > 0}>
                <span class="tabs__count">{props.held}</span>
              </Show>
            </button>
          )}
        </For>
      </fieldset>
      <div class="console__heading-row">
        <h2 class="console__heading" id="queue-title">
          {viewLabels[view()]}
          <Show when={queue().isSuccess}>
            <span class="muted">
              {" "}
              · {incidents() > 0 ? `${plural(incidents(), "incident")}, ` : ""}
              {items().length}
              {queue().hasNextPage ? "+" : ""} {incidents() > 0 ? "more " : ""}listed
            </span>
          </Show>
        </h2>
        <span class="console__list-actions">
          <button
            type="button"
            class="button button--ghost button--small console__toggle-side"
            onClick={() => props.onToggleSide()}
          >
            Filters
          </button>
          <button
            type="button"
            class="button button--primary button--small"
            aria-keyshortcuts="c"
            aria-disabled={props.claiming ? "true" : undefined}
            onClick={() => props.onClaim()}
          >
            Claim next <kbd>c</kbd>
          </button>
          <button
            type="button"
            class="button button--ghost button--small"
            aria-label="Keyboard shortcuts"
            aria-keyshortcuts="?"
            onClick={() => props.onHelp()}
          >
            <kbd>?</kbd>
          </button>
        </span>
      </div>

      <div class="queue-sort">
        <label class="field__label" for={sortId}>
          Sort
        </label>
        <select
          id={sortId}
          class="input select input--small"
          disabled={view() === "at_risk" || view() === "breached"}
          onChange={(e) => props.onSort(e.currentTarget.value as QueueSort)}
        >
          <option
            value="queue"
            selected={(props.filters.sort ?? "queue") === "queue" && view() !== "at_risk" && view() !== "breached"}
          >
            Priority, then arrival
          </option>
          <option value="due" selected={props.filters.sort === "due" || view() === "at_risk" || view() === "breached"}>
            SLA due soonest
          </option>
        </select>
      </div>

      <Show when={props.checked.size > 0}>
        <BulkBar
          count={props.checked.size}
          busy={props.bulkBusy}
          onRun={props.onBulk}
          onClear={() => props.onCheck(new Set<string>())}
        />
      </Show>

      <Show when={!props.filters.view}>
        <QueueClusters clusters={props.listing.clusters.data?.clusters ?? []} onAct={props.onActOnCluster} />
      </Show>
      <QueryStatus
        loading={queue().isPending}
        error={queue().isError ? toUiError(queue().error).message : null}
        what="the queue"
        onRetry={() => void queue().refetch()}
      />
      <Switch>
        <Match when={queue().isSuccess && items().length === 0}>
          <p class="empty">{emptyText(props.filters, props.listing.read())}</p>
          <LoadMore query={queue()} block />
        </Match>
        <Match when={queue().isSuccess && items().length > 0}>
          <QueueList
            items={items()}
            me={props.me}
            now={props.now}
            selectedId={props.selectedId}
            openId={props.openId}
            checked={props.checked}
            onSelect={props.onSelect}
            onOpen={props.onOpen}
            onToggle={props.onToggle}
            onToggleAll={(on) => props.onCheck(on ? new Set(items().map((item) => item.id)) : new Set<string>())}
          />
          <LoadMore query={queue()} block />
        </Match>
      </Switch>
    </section>
  );
}

/**
 * The queue tab: filters (left), the queue (centre) and the open item (right), driven by the keyboard too.
 * The filters live in the query, the open item in the path (`/console/items/<id>`).
 */
export function QueueWorkspace(props: {
  notify: (notice: Notice) => void;
  settings: ConsoleSettings;
  /** Something this console did changed the queue: refresh counts and lists (coalesced with live events). */
  onQueueChanged: () => void;
}) {
  const session = useSession();
  const queryClient = useQueryClient();
  const navigate = useNavigate();
  const location = useLocation();
  const params = useParams<{ itemId?: string }>();
  const queueFilters = useQueueFilters();
  const filters = queueFilters.filters;
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

  /** The open item is in the path: opening and closing one is a step Back undoes. */
  const openId = () => params.itemId ?? null;
  const open = (id: string | null) =>
    navigate(`${id ? `/console/items/${encodeURIComponent(id)}` : "/console"}${location.search}`, { scroll: false });

  const listing = createQueueListing(() => session.agencyId(), filters);
  const { queue, items } = listing;
  const counts = useQueueCounts();
  /** Items this moderator holds, across clients. */
  const held = () => (counts.data ?? []).reduce((sum, row) => sum + row.mine, 0);
  const [sideOpen, setSideOpen] = createSignal(false);
  /** The item claim next answered last: the panel shows it at once, before its detail loads. */
  const [claimed, setClaimed] = createSignal<ClaimedItem | null>(null);
  const [askHeld, setAskHeld] = createSignal(false);

  const claim = useMutation(() => ({
    mutationFn: (input: RouterInputs["queue"]["claimNext"]) => trpc.queue.claimNext.mutate(input),
    onSettled: () => props.onQueueChanged(),
  }));
  /**
   * Claims the next item. While the moderator holds items, the setting decides: ask, release them first (the
   * server puts them back and passes over them), or keep them; `held` overrides it for this claim.
   */
  const claimNext = async (choice?: "release" | "keep") => {
    if (claim.isPending) return;
    const mode = choice ?? (held() > 0 ? props.settings.heldClaims() : "keep");
    if (mode === "ask") {
      setAskHeld(true);
      return;
    }
    try {
      const clientId = filters().clientId;
      const item = await claim.mutateAsync({
        ...(clientId ? { clientId } : {}),
        skip: activeSkips(),
        ...(mode === "release" ? { releaseHeld: true } : {}),
      });
      if (item) {
        // A detail cached from an earlier look would show the item as it was (queued): read it afresh.
        queryClient.removeQueries({ queryKey: workKeys.item(session.agencyId(), item.id) });
        setClaimed(item);
        // The highlight goes back to the open item (j/k move on from it) without bringing its row into view: the item
        // shows in its own pane, and scrolling to a row below the fold moved the whole page on a laptop.
        setSelectedId(null);
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

  const [actingOn, setActingOn] = createSignal<ItemCluster | null>(null);
  const { bulk, confirmHide, setConfirmHide, doBulk, runBulk, runOnCluster } = createBulkActions({
    checked,
    clearChecked: () => setChecked(new Set<string>()),
    notify: props.notify,
    onQueueChanged: props.onQueueChanged,
  });

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

  /** The open item's actions, for the shortcuts (none while no item is open). */
  const onPanel = (run: (actions: ItemActions) => void) => () => {
    if (panel) run(panel);
  };
  useConsoleKeys({
    j: () => move(1),
    k: () => move(-1),
    Enter: () => {
      const id = selectedId();
      if (id) open(id);
    },
    x: () => {
      const id = selectedId();
      if (id) toggle(id, !checked().has(id));
    },
    c: () => void claimNext(),
    s: onPanel((actions) => actions.skip()),
    r: onPanel((actions) => actions.focusReply()),
    h: onPanel((actions) => actions.hide()),
    n: onPanel((actions) => actions.noAction()),
    e: () => {
      if (panel) panel.escalate();
      else props.notify({ text: "Open an item first, then press e to escalate it.", tone: "info" });
    },
    "?": () => setHelp(true),
  });

  return (
    <div
      class="console__grid"
      classList={{
        "console__grid--open": Boolean(openId()),
        "console__grid--side-open": sideOpen(),
        "console__grid--compact": props.settings.density() === "compact",
      }}
    >
      <Show when={askHeld()}>
        <Dialog
          title={`You hold ${plural(held(), "item")}`}
          description="Claim next can put what you hold back in the queue for others, or leave it with you. Settings decides this for good."
          onClose={() => setAskHeld(false)}
        >
          <div class="dialog__actions">
            <button type="button" class="button button--ghost" onClick={() => setAskHeld(false)}>
              Cancel
            </button>
            <button
              type="button"
              class="button"
              onClick={() => {
                setAskHeld(false);
                void claimNext("keep");
              }}
            >
              Keep and claim next
            </button>
            <button
              type="button"
              class="button button--primary"
              autofocus
              onClick={() => {
                setAskHeld(false);
                void claimNext("release");
              }}
            >
              Release and claim next
            </button>
          </div>
        </Dialog>
      </Show>
      <QueueSidebar
        filters={filters()}
        onFilter={(name, value) => {
          queueFilters.set(name, value);
          setChecked(new Set<string>());
        }}
        onClear={queueFilters.clear}
      />

      <Show when={confirmHide()}>
        {(itemIds) => (
          <ConfirmDialog
            title={`Hide ${plural(itemIds().length, "item")}?`}
            description={`${plural(itemIds().length, "item")} will be hidden on the platform, where their authors' followers see them now. You can undo right after.`}
            confirmLabel={`Hide ${plural(itemIds().length, "item")}`}
            danger
            onConfirm={() => doBulk("hide", itemIds())}
            onClose={() => setConfirmHide(null)}
          />
        )}
      </Show>
      <QueueColumn
        listing={listing}
        filters={filters()}
        me={me()}
        now={now()}
        held={held()}
        selectedId={selectedId()}
        openId={openId()}
        checked={checked()}
        claiming={claim.isPending}
        bulkBusy={bulk.isPending}
        onView={(view) => {
          queueFilters.set("view", view === "queue" ? null : view);
          setChecked(new Set<string>());
        }}
        onSort={(sort) => queueFilters.set("sort", sort === "queue" ? null : sort)}
        onToggleSide={() => setSideOpen((open) => !open)}
        onClaim={() => void claimNext()}
        onHelp={() => setHelp(true)}
        onSelect={setSelectedId}
        onOpen={(id) => open(id)}
        onToggle={toggle}
        onCheck={setChecked}
        onBulk={(action) => void runBulk(action)}
        onActOnCluster={setActingOn}
      />
      <Show when={actingOn()}>
        {(cluster) => (
          <ClusterDialog
            cluster={cluster()}
            run={async (input, onProgress) => {
              try {
                await runOnCluster(input, onProgress);
              } finally {
                void listing.refreshClusters();
              }
            }}
            onClose={() => setActingOn(null)}
          />
        )}
      </Show>
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
            preview={claimed()}
            me={me()}
            now={now()}
            register={(actions) => {
              panel = actions;
            }}
            notify={props.notify}
            onQueueChanged={props.onQueueChanged}
            incident={listing.clusters.data?.clusters.find((cluster) => cluster.itemIds.includes(itemId))}
            onActOnIncident={setActingOn}
            onSkip={async (skippedId) => {
              const { skipUntil } = await trpc.queue.skip.mutate({ itemId: skippedId });
              setSkipped((prev) => [
                ...prev.filter((entry) => entry.until > Date.now() && entry.itemId !== skippedId),
                { itemId: skippedId, until: skipUntil.getTime() },
              ]);
              props.onQueueChanged();
              await claimNext("keep");
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
