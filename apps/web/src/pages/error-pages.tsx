import { useSession } from "../auth";
import { Page } from "../components/page";
import { homeFor } from "../roles";

/** A page with nothing to show but the way back to the signed-in user's start page. */
function DeadEnd(props: { title: string; lead: string }) {
  const session = useSession();
  return (
    <Page title={props.title} lead={props.lead}>
      <p>
        <a href={homeFor(session.role())}>Go to your start page</a>
      </p>
    </Page>
  );
}

export const NotFoundPage = () => <DeadEnd title="Page not found" lead="There is nothing at this address." />;

export const ForbiddenPage = () => (
  <DeadEnd title="Not available" lead="Your role in this agency doesn't give access to this page." />
);
