import { createEffect, type JSX, on } from "solid-js";
import { Card } from "../../components/page";
import { plural } from "../../format";

/** A count that opens its items: the drill-down buttons in the tables beside the charts. */
export function CountButton(props: { count: number; label: string; onClick: () => void }) {
  return (
    <button
      type="button"
      class="button button--ghost button--small"
      aria-label={`List the ${plural(props.count, "item")}: ${props.label}`}
      disabled={props.count === 0}
      onClick={() => props.onClick()}
    >
      {props.count}
    </button>
  );
}

/**
 * The items behind an opened figure, bar or topic: a card under the charts, titled "Items: …", brought into view
 * and focus whenever another is opened (keyboard and screen-reader users continue there), and closed by its button.
 */
export function DrillDownCard(props: { title: string; onClose: () => void; children: JSX.Element }) {
  let region!: HTMLDivElement;
  createEffect(
    on(
      () => props.title,
      () => {
        region.scrollIntoView({ block: "start" });
        region.focus({ preventScroll: true });
      },
    ),
  );
  return (
    <div ref={region} tabIndex={-1} class="report-items">
      <Card
        title={`Items: ${props.title}`}
        actions={
          <button type="button" class="button button--small button--ghost" onClick={() => props.onClose()}>
            Close
          </button>
        }
      >
        {props.children}
      </Card>
    </div>
  );
}
