import { For } from "solid-js";
import { formatMonth, monthOf, shiftMonth } from "../pages/accounts/billing-format";

/** A client's monthly report under /v1 (the session cookie authorises it): the PDF the stakeholders get on the 1st. */
export function monthlyReportDownloads(clientId: string, month: string) {
  const query = `clientId=${encodeURIComponent(clientId)}&month=${encodeURIComponent(month)}`;
  return { pdf: `/v1/reports/monthly.pdf?${query}`, csv: `/v1/reports/monthly.csv?${query}` };
}

/** The last `count` months before this one, newest first, each with its report's PDF and CSV. */
export function MonthlyReportsList(props: { clientId: string; clientName?: string; count?: number }) {
  const months = () => {
    const thisMonth = monthOf(new Date());
    return Array.from({ length: props.count ?? 6 }, (_, index) => shiftMonth(thisMonth, -1 - index));
  };
  return (
    <ul
      class="portal-invoices__list"
      aria-label={`Monthly reports${props.clientName ? ` of ${props.clientName}` : ""}`}
    >
      <For each={months()}>
        {(month) => (
          <li class="portal-invoices__row">
            <span class="portal-invoices__what">
              <span class="cell--primary">{formatMonth(month)}</span>
              {props.clientName ? <span class="muted"> {props.clientName}</span> : null}
            </span>
            <span class="portal-invoices__links">
              <a
                class="button button--small button--ghost"
                href={monthlyReportDownloads(props.clientId, month).pdf}
                rel="external"
              >
                PDF<span class="sr-only"> report of {formatMonth(month)}</span>
              </a>
              <a
                class="button button--small button--ghost"
                href={monthlyReportDownloads(props.clientId, month).csv}
                rel="external"
              >
                CSV<span class="sr-only"> report of {formatMonth(month)}</span>
              </a>
            </span>
          </li>
        )}
      </For>
    </ul>
  );
}
