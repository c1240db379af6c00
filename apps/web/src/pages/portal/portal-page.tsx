import { useQueryClient } from "@tanstack/solid-query";
import { For } from "solid-js";
import { useSession } from "../../auth";
import { ApprovalsInbox } from "../../components/approvals-inbox";
import { createLiveEvents, type LiveEvent, LiveIndicator } from "../../components/live";
import { Card, Page } from "../../components/page";
import { workKeys } from "../../components/work";

const comingCards = [
  {
    title: "SLA board",
    text: "Response times, SLA compliance and breaches per channel and priority. It comes with the SLA workflows.",
  },
  {
    title: "Escalations",
    text: "Escalations addressed to you, with the hand-over packet, to answer and resolve. They come with the SLA workflows.",
  },
  {
    title: "Invoices",
    text: "Monthly invoices with SLA results and service credits. They come with the billing work.",
  },
];

/** The client stakeholder's portal: approvals now; SLA board, escalations and invoices as they arrive. */
export function PortalPage() {
  const session = useSession();
  const queryClient = useQueryClient();
  const live = createLiveEvents({
    onEvents: (events: LiveEvent[]) => {
      const agencyId = session.agencyId();
      if (events.some((event) => event.agencyId === agencyId && event.type === "reply.changed")) {
        void queryClient.invalidateQueries({ queryKey: workKeys.approvals(agencyId) });
      }
    },
    onReconnect: () => void queryClient.invalidateQueries({ queryKey: workKeys.approvals(session.agencyId()) }),
  });

  return (
    <Page
      title="Portal"
      lead={`Your brand's view of the service ${session.current().agencyName} provides.`}
      actions={<LiveIndicator status={live()} />}
    >
      <div class="portal">
        <Card title="Approvals" class="portal__main">
          <p class="muted portal__intro">
            Replies your protocol says need your approval. Approve to post them as they are, or reject with a comment
            telling the moderator what to change.
          </p>
          <ApprovalsInbox emptyText="Nothing is waiting for your approval. New drafts appear here as they are written." />
        </Card>
        <div class="portal__side">
          <For each={comingCards}>
            {(card) => (
              <Card title={card.title} class="card--coming">
                <p class="muted">{card.text}</p>
                <span class="badge">Coming soon</span>
              </Card>
            )}
          </For>
        </div>
      </div>
    </Page>
  );
}
