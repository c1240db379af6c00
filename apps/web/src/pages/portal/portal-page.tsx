import type { LiveEvent } from "@parley/contracts";
import { useParams } from "@solidjs/router";
import { useQueryClient } from "@tanstack/solid-query";
import { For } from "solid-js";
import { useSession } from "../../auth";
import { ApprovalsInbox } from "../../components/approvals-inbox";
import { useClients } from "../../components/clients";
import { escalationKeys } from "../../components/escalations";
import { createLiveEvents, LiveIndicator } from "../../components/live";
import { MonthlyReportsList } from "../../components/monthly-reports";
import { Card, Page } from "../../components/page";
import { SlaMonthCard } from "../../components/sla-month";
import { workKeys } from "../../components/work";
import { TopicsPanel } from "../reports/topics-panel";
import { EscalationsInbox } from "./escalations-inbox";
import { PortalInvoices, portalInvoicesKey } from "./portal-invoices";
import { PortalSummary } from "./portal-summary";
import { SlaBoardCard } from "./sla-board";

/**
 * The client stakeholder's portal: approvals, escalations, the month's SLA results against the contract, the live
 * SLA board, finalized invoices and the monthly reports. On a phone the summary and what needs the stakeholder
 * (approvals, escalations) come first; the SLA month, the topics, the board, the invoices and the monthly reports are folded to
 * their headings until opened.
 */
export function PortalPage() {
  const session = useSession();
  const clients = useClients();
  const params = useParams<{ escalationId?: string; replyId?: string }>();
  const queryClient = useQueryClient();
  const live = createLiveEvents({
    onEvents: (events: LiveEvent[]) => {
      const agencyId = session.agencyId();
      const mine = events.filter((event) => event.agencyId === agencyId);
      if (mine.some((event) => event.type === "reply.changed")) {
        void queryClient.invalidateQueries({ queryKey: workKeys.approvals(agencyId) });
        void queryClient.invalidateQueries({ queryKey: escalationKeys.sla(agencyId) });
      }
      if (mine.some((event) => event.type === "escalation.changed")) {
        void queryClient.invalidateQueries({ queryKey: escalationKeys.all(agencyId) });
      }
      // Clocks start, pause and stop as items arrive, are answered and escalated.
      if (
        mine.some((event) =>
          ["clock.changed", "item.changed", "queue.changed", "escalation.changed"].includes(event.type),
        )
      ) {
        void queryClient.invalidateQueries({ queryKey: escalationKeys.sla(agencyId) });
      }
      if (mine.some((event) => event.type === "invoice.changed")) {
        void queryClient.invalidateQueries({ queryKey: portalInvoicesKey(agencyId) });
      }
    },
    onReconnect: () => {
      const agencyId = session.agencyId();
      void queryClient.invalidateQueries({ queryKey: workKeys.approvals(agencyId) });
      void queryClient.invalidateQueries({ queryKey: escalationKeys.all(agencyId) });
      void queryClient.invalidateQueries({ queryKey: escalationKeys.sla(agencyId) });
      void queryClient.invalidateQueries({ queryKey: portalInvoicesKey(agencyId) });
    },
  });

  return (
    <Page
      title="Portal"
      lead={`Your brand's view of the service ${session.current().agencyName} provides.`}
      actions={
        <>
          <a class="button button--small" href="/portal/protocol">
            Brand protocol
          </a>
          <LiveIndicator status={live()} />
        </>
      }
    >
      <PortalSummary />
      <div class="portal">
        <div class="portal__main">
          <Card title="Approvals" id="approvals">
            <p class="muted portal__intro">
              Replies your protocol says need your approval. Approve to post them as they are, or reject with a comment
              telling the moderator what to change.
            </p>
            <ApprovalsInbox
              emptyText="Nothing is waiting for your approval. New drafts appear here as they are written."
              replyId={params.replyId}
              href={(replyId) => (replyId ? `/portal/approvals/${replyId}` : "/portal")}
            />
          </Card>
          <Card title="Escalations" id="escalations">
            <p class="muted portal__intro">
              Cases the agency handed to you with everything needed to answer. Your answer goes back to the customer.
            </p>
            <EscalationsInbox escalationId={params.escalationId} />
          </Card>
          <Card title="SLA this month" foldedOnPhone>
            <SlaMonthCard />
          </Card>
          <TopicsPanel foldedOnPhone />
        </div>
        <div class="portal__side">
          <Card title="SLA board" foldedOnPhone>
            <SlaBoardCard />
          </Card>
          <Card title="Invoices" foldedOnPhone>
            <PortalInvoices />
          </Card>
          <Card title="Monthly reports" foldedOnPhone>
            <p class="muted portal__intro">
              Each month's SLA against your contract, volumes, answer times and notable escalations; sent to you on the
              1st.
            </p>
            <For each={clients.data ?? []}>
              {(client) => (
                <MonthlyReportsList
                  clientId={client.id}
                  clientName={(clients.data?.length ?? 0) > 1 ? client.name : undefined}
                />
              )}
            </For>
          </Card>
        </div>
      </div>
    </Page>
  );
}
