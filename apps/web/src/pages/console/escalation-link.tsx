import { Navigate, useParams } from "@solidjs/router";
import { useQuery } from "@tanstack/solid-query";
import { Show } from "solid-js";
import { useSession } from "../../auth";
import { escalationKeys } from "../../components/escalations";
import { Page, QueryStatusOf } from "../../components/page";
import { trpc } from "../../trpc";

/**
 * `/console/escalations/:escalationId`: an escalation's address for agency staff (a notice's link, an e-mail). The
 * console works on items, so it opens the escalated item, replacing this address in the history (Back skips it).
 */
export function ConsoleEscalationLink() {
  const session = useSession();
  const params = useParams<{ escalationId: string }>();
  const escalation = useQuery(() => ({
    queryKey: escalationKeys.one(session.agencyId(), params.escalationId),
    queryFn: () => trpc.escalations.get.query({ escalationId: params.escalationId }),
  }));
  return (
    <Show
      when={escalation.data}
      fallback={
        <Page title="Escalation">
          <QueryStatusOf query={escalation} what="the escalation" />
        </Page>
      }
    >
      {(found) => <Navigate href={`/console/items/${encodeURIComponent(found().itemId)}`} />}
    </Show>
  );
}
