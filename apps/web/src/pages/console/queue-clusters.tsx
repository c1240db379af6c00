import { createSignal, createUniqueId, For, Show } from "solid-js";
import { Dialog } from "../../components/dialog";
import { FormAlert } from "../../components/form";
import { toUiError } from "../../errors";
import { plural } from "../../format";
import type { RouterInputs, RouterOutputs } from "../../trpc";

export type ItemCluster = RouterOutputs["queue"]["clusters"]["clusters"][number];
type ClusterAction = "reply" | "tag" | "hide";
type ClusterInput = Omit<RouterInputs["items"]["bulk"], "itemIds"> & { itemIds: readonly string[] };

const defaultStatement =
  "Hi {name}, thanks for telling us about {their_words}. We know something is wrong on {platform} and the team is on it: we'll update you here.";

/**
 * Near-identical open items (one incident) as one row each, above the queue: the count, the client and a few
 * examples; expanding a row (Enter on it) lists them, and "Act on all" opens the cluster dialog. Beside an open item
 * on a laptop they fold to one line, so the narrow queue's rows start on the first screen.
 */
export function QueueClusters(props: { clusters: readonly ItemCluster[]; onAct: (cluster: ItemCluster) => void }) {
  return (
    <Show when={props.clusters.length > 0}>
      <section class="queue-clusters" aria-label="Incidents: near-identical items">
        <p class="queue-clusters__folded muted">
          {plural(props.clusters.length, "incident")} of near-identical items: close the item to act on them
        </p>
        <ul class="queue-clusters__list">
          <For each={props.clusters}>
            {(cluster) => (
              <li class="queue-clusters__row" data-cluster={cluster.key}>
                <details>
                  <summary class="queue-clusters__summary">
                    <strong class="queue-clusters__count">{plural(cluster.count, "near-identical item")}</strong>
                    <span class="muted"> · {cluster.clientName}</span>
                    <span class="queue-clusters__example">"{cluster.examples[0]?.body}"</span>
                  </summary>
                  <ul class="queue-clusters__examples">
                    <For each={cluster.examples}>
                      {(example) => (
                        <li>
                          <a href={`/console/items/${example.itemId}`}>@{example.authorHandle.replace(/^@/, "")}</a>:{" "}
                          {example.body}
                        </li>
                      )}
                    </For>
                  </ul>
                  <Show when={cluster.count > cluster.examples.length}>
                    <p class="muted">and {plural(cluster.count - cluster.examples.length, "more item")}</p>
                  </Show>
                </details>
                <button type="button" class="button button--small" onClick={() => props.onAct(cluster)}>
                  Act on all {cluster.count}
                </button>
              </li>
            )}
          </For>
        </ul>
      </section>
    </Show>
  );
}

/**
 * Tag, hide as spam, or reply with a holding statement to every item of a cluster. The statement's variables are
 * filled in per customer, so each reply differs and passes the protocol's checks.
 */
/**
 * On an open item that belongs to a cluster: the incident it is part of, with the way to act on all of it at once
 * instead of answering its near-identical items one claim at a time.
 */
export function IncidentNotice(props: { cluster: ItemCluster; onAct: (cluster: ItemCluster) => void }) {
  return (
    <div class="alert alert--info" role="status">
      <span>
        <strong>Part of an incident:</strong> {plural(props.cluster.count, "near-identical open item")} of{" "}
        {props.cluster.clientName}.
      </span>
      <button type="button" class="button button--small" onClick={() => props.onAct(props.cluster)}>
        Act on all {props.cluster.count}
      </button>
    </div>
  );
}

export function ClusterDialog(props: {
  cluster: ItemCluster;
  /** Acts on the cluster, telling `onProgress` how many items it has covered so far. */
  run: (input: ClusterInput, onProgress: (covered: number) => void) => Promise<unknown>;
  onClose: () => void;
}) {
  const [action, setAction] = createSignal<ClusterAction>("reply");
  const [statement, setStatement] = createSignal(defaultStatement);
  const [tags, setTags] = createSignal("");
  const [busy, setBusy] = createSignal(false);
  /** Items the calls so far covered, while the action runs (a large incident takes several calls). */
  const [covered, setCovered] = createSignal(0);
  const [error, setError] = createSignal<string | null>(null);
  const ids = {
    action: createUniqueId(),
    statement: createUniqueId(),
    tags: createUniqueId(),
    progress: createUniqueId(),
  };
  const submit = async (event: SubmitEvent) => {
    event.preventDefault();
    if (busy()) return;
    setBusy(true);
    setCovered(0);
    setError(null);
    try {
      const itemIds = props.cluster.itemIds;
      if (action() === "reply") await props.run({ itemIds, action: "reply", statement: statement() }, setCovered);
      else if (action() === "tag") {
        const list = tags()
          .split(",")
          .map((tag) => tag.trim())
          .filter(Boolean);
        await props.run({ itemIds, action: "tag", tags: list }, setCovered);
      } else await props.run({ itemIds, action: "hide" }, setCovered);
      props.onClose();
    } catch (err) {
      setError(toUiError(err).message);
    } finally {
      setBusy(false);
    }
  };
  return (
    <Dialog
      title={`Act on ${plural(props.cluster.count, "item")}`}
      description={`Near-identical items of ${props.cluster.clientName}: "${props.cluster.examples[0]?.body ?? ""}"`}
      wide
      onClose={props.onClose}
    >
      <form class="form" aria-label="Act on the cluster" onSubmit={(event) => void submit(event)}>
        <FormAlert message={error()} />
        <div class="field">
          <label class="field__label" for={ids.action}>
            Action
          </label>
          <select
            id={ids.action}
            class="input select"
            onChange={(event) => setAction(event.currentTarget.value as ClusterAction)}
          >
            <option value="reply" selected={action() === "reply"}>
              Reply with a holding statement
            </option>
            <option value="tag" selected={action() === "tag"}>
              Tag all
            </option>
            <option value="hide" selected={action() === "hide"}>
              Hide all as spam
            </option>
          </select>
        </div>
        <Show when={action() === "reply"}>
          <div class="field">
            <label class="field__label" for={ids.statement}>
              Holding statement
            </label>
            <textarea
              id={ids.statement}
              class="input textarea"
              rows={4}
              value={statement()}
              aria-describedby={`${ids.statement}-hint`}
              onInput={(event) => setStatement(event.currentTarget.value)}
            />
            <p class="field__hint" id={`${ids.statement}-hint`}>
              Written for each customer: {"{name}"}, {"{handle}"}, {"{platform}"} and {"{their_words}"} (the start of
              their message) are filled in per item, so no two replies read the same. Each reply goes through the
              protocol's checks and approvals.
            </p>
          </div>
        </Show>
        <Show when={action() === "tag"}>
          <div class="field">
            <label class="field__label" for={ids.tags}>
              Tags (comma-separated)
            </label>
            <input id={ids.tags} class="input" value={tags()} onInput={(event) => setTags(event.currentTarget.value)} />
          </div>
        </Show>
        <Show when={busy()}>
          <div class="field" aria-live="polite">
            <label class="field__label" for={ids.progress}>
              {covered()} of {props.cluster.count} items done
            </label>
            <progress id={ids.progress} class="progress-bar" max={props.cluster.count} value={covered()}>
              {covered()} of {props.cluster.count}
            </progress>
          </div>
        </Show>
        <div class="dialog__actions">
          <button type="button" class="button" onClick={() => props.onClose()}>
            Cancel
          </button>
          <button
            type="submit"
            class="button"
            classList={{ "button--danger": action() === "hide", "button--primary": action() !== "hide" }}
            aria-disabled={busy() ? "true" : undefined}
          >
            {busy()
              ? "Working…"
              : action() === "reply"
                ? `Reply to all ${props.cluster.count}`
                : action() === "tag"
                  ? `Tag all ${props.cluster.count}`
                  : `Hide all ${props.cluster.count}`}
          </button>
        </div>
      </form>
    </Dialog>
  );
}
