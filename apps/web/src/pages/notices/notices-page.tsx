import { useNavigate } from "@solidjs/router";
import { createSignal, For, Show } from "solid-js";
import { useSession } from "../../auth";
import { useMarkNoticesRead, useNotices } from "../../components/notices";
import { Card, Page, QueryStatusOf, StatusMessage } from "../../components/page";
import { toUiError } from "../../errors";
import { formatDateTime } from "../../format";
import { noticeHref } from "../../notice-links";
import type { RouterOutputs } from "../../trpc";

type Notice = RouterOutputs["escalations"]["inbox"]["notices"][number];

/**
 * `/notices`: the member's own notices, newest first (the last 100), for every role. Opening one marks it read
 * and goes to its screen; "Mark read" and "Mark all read" do so without leaving.
 */
export function NoticesPage() {
  const session = useSession();
  const navigate = useNavigate();
  const notices = useNotices();
  const mark = useMarkNoticesRead();
  const [status, setStatus] = createSignal<string | null>(null);

  const markRead = async (ids?: string[]) => {
    try {
      await mark.mutateAsync(ids);
    } catch (err) {
      setStatus(`Couldn't mark them read: ${toUiError(err).message}`);
    }
  };
  const open = async (notice: Notice, href: string) => {
    if (!notice.readAt) await markRead([notice.id]);
    navigate(href);
  };

  return (
    <Page
      title="Notices"
      lead="Escalations, reminders, drafts and invoices addressed to you."
      actions={
        <Show when={(notices.data?.unread ?? 0) > 0}>
          <button type="button" class="button button--small" onClick={() => void markRead()}>
            Mark all read
          </button>
        </Show>
      }
    >
      <StatusMessage message={status()} onDismiss={() => setStatus(null)} />
      <Card>
        <QueryStatusOf query={notices} what="notices" />
        <Show when={notices.data}>
          {(data) => (
            <Show when={data().notices.length > 0} fallback={<p class="muted">No notices yet.</p>}>
              <ul class="notices" aria-label="Notices">
                <For each={data().notices}>
                  {(notice) => {
                    const href = noticeHref(notice, session.role());
                    return (
                      <li class="notice" classList={{ "notice--unread": !notice.readAt }}>
                        <div class="notice__main">
                          <Show when={href} fallback={<span class="notice__title">{notice.title}</span>}>
                            {(target) => (
                              <a
                                class="notice__title"
                                href={target()}
                                onClick={(e) => {
                                  e.preventDefault();
                                  void open(notice, target());
                                }}
                              >
                                {notice.title}
                              </a>
                            )}
                          </Show>
                          <p class="notice__body">{notice.body}</p>
                          <p class="notice__meta muted">
                            {formatDateTime(notice.createdAt)}
                            <Show when={!notice.readAt}> · Unread</Show>
                          </p>
                        </div>
                        <Show when={!notice.readAt}>
                          <button type="button" class="button button--small" onClick={() => void markRead([notice.id])}>
                            Mark read<span class="sr-only"> {notice.title}</span>
                          </button>
                        </Show>
                      </li>
                    );
                  }}
                </For>
              </ul>
            </Show>
          )}
        </Show>
      </Card>
    </Page>
  );
}
