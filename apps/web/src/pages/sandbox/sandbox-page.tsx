import type { RouteSectionProps } from "@solidjs/router";
import { useQuery } from "@tanstack/solid-query";
import { For, Show } from "solid-js";
import { useSession } from "../../auth";
import { CustomerText } from "../../components/customer-text-view";
import { Card, Page } from "../../components/page";
import { toUiError } from "../../errors";
import { formatDateTime } from "../../format";
import { type RouterOutputs, trpc } from "../../trpc";

type SandboxPost = RouterOutputs["sandbox"]["page"]["posts"][number];

const stateLabels: Record<SandboxPost["state"], string> = {
  visible: "",
  hidden: "Hidden — only its author and the brand see it",
  deleted: "Deleted",
};

/** Threads in order: each top-level post followed by the replies under it (depth first, oldest first). */
function threaded(posts: readonly SandboxPost[]): Array<{ post: SandboxPost; depth: number }> {
  const children = new Map<string | null, SandboxPost[]>();
  const known = new Set(posts.map((post) => post.externalId));
  for (const post of posts) {
    const parent = post.parentExternalId && known.has(post.parentExternalId) ? post.parentExternalId : null;
    children.set(parent, [...(children.get(parent) ?? []), post]);
  }
  const out: Array<{ post: SandboxPost; depth: number }> = [];
  const walk = (parent: string | null, depth: number) => {
    for (const post of children.get(parent) ?? []) {
      out.push({ post, depth });
      walk(post.externalId, depth + 1);
    }
  };
  walk(null, 0);
  return out;
}

/**
 * A sandbox channel's public page as its customers see it: comments and the brand's replies in order, with the
 * hidden and deleted ones marked. Refreshed every two seconds, so a delivery shows up as the sandbox accepts it.
 */
export function SandboxPage(props: RouteSectionProps) {
  const session = useSession();
  const page = useQuery(() => ({
    queryKey: [session.agencyId(), "sandbox", props.params.channelId] as const,
    queryFn: () => trpc.sandbox.page.query({ channelId: props.params.channelId ?? "" }),
    refetchInterval: 2000,
    staleTime: 0,
  }));
  const title = () => (page.data ? `${page.data.channel.displayName}` : "Sandbox page");
  return (
    <Page
      title={title()}
      lead="Sandbox: Parley's own test platform. Nothing here is public on a real network — this is the page as the brand's customers would see it."
    >
      <p class="sandbox-banner" role="note">
        <span class="badge badge--warning">Sandbox</span> Replies, hides and deletes sent to this channel land here.
      </p>
      <Show when={page.error}>{(error) => <p class="alert alert--danger">{toUiError(error()).message}</p>}</Show>
      <Show when={page.data}>
        {(data) => (
          <Card title={`${data().channel.clientName} — public page`}>
            <Show when={data().posts.length > 0} fallback={<p class="muted">No posts yet.</p>}>
              <ol class="sandbox-posts" aria-label="Public page">
                <For each={threaded(data().posts)}>
                  {({ post, depth }) => (
                    <li
                      class="sandbox-post"
                      classList={{
                        "sandbox-post--brand": post.byBrand,
                        "sandbox-post--hidden": post.state === "hidden",
                        "sandbox-post--deleted": post.state === "deleted",
                      }}
                      style={{ "margin-left": `${Math.min(depth, 4) * 1.5}rem` }}
                      data-state={post.state}
                      aria-label={`${post.byBrand ? "Brand reply" : "Comment"} by ${post.authorName}${
                        post.state === "visible" ? "" : ` (${post.state})`
                      }`}
                    >
                      <div class="sandbox-post__head">
                        <strong>
                          <CustomerText text={post.authorName} />
                        </strong>
                        <Show when={post.byBrand}>
                          <span class="badge">Brand</span>
                        </Show>
                        <span class="muted"> · {formatDateTime(post.postedAt)}</span>
                        <Show when={stateLabels[post.state]}>
                          <span class="badge badge--danger">{stateLabels[post.state]}</span>
                        </Show>
                      </div>
                      <Show when={post.state !== "deleted"} fallback={<p class="muted">This comment was deleted.</p>}>
                        <p class="sandbox-post__body">
                          <CustomerText text={post.body} />
                        </p>
                      </Show>
                    </li>
                  )}
                </For>
              </ol>
            </Show>
          </Card>
        )}
      </Show>
    </Page>
  );
}
