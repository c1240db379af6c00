import { For, type JSX, Show } from "solid-js";
import { type QueryLike, QueryStatusOf } from "./page";

/** The part of a list query the table reads (a TanStack query result fits). */
interface ListQuery<Row> extends QueryLike {
  data: Row[] | undefined;
  isSuccess: boolean;
}

/**
 * A list query as a table: loading and error states (with a retry), then the rows once loaded.
 * With `empty`, a query that found nothing shows that message instead of an empty table.
 */
export function QueryTable<Row>(props: {
  query: ListQuery<Row>;
  /** What the rows are, for "Loading clients…" and "Couldn't load clients". */
  what: string;
  /** The table's accessible name. */
  label: string;
  empty?: string;
  /** The header cells. */
  columns: JSX.Element;
  children: (row: Row) => JSX.Element;
  /** A <tfoot> after the rows, e.g. totals. */
  foot?: JSX.Element;
}) {
  return (
    <>
      <QueryStatusOf query={props.query} what={props.what} />
      <Show when={props.query.isSuccess}>
        <ListTable
          rows={props.query.data ?? []}
          label={props.label}
          empty={props.empty}
          columns={props.columns}
          foot={props.foot}
        >
          {props.children}
        </ListTable>
      </Show>
    </>
  );
}

/**
 * Rows already at hand as a table: the header cells, then a row each.
 * With `empty`, no rows shows that message instead of an empty table.
 */
export function ListTable<Row>(props: {
  rows: readonly Row[];
  /** The table's accessible name. */
  label: string;
  empty?: string;
  /** The denser table of a secondary list. */
  compact?: boolean;
  /** The header cells. */
  columns: JSX.Element;
  children: (row: Row) => JSX.Element;
  /** A <tfoot> after the rows, e.g. totals. */
  foot?: JSX.Element;
}) {
  return (
    <Show when={!props.empty || props.rows.length > 0} fallback={<p class="empty">{props.empty}</p>}>
      <div class="table-wrap">
        <table class={props.compact ? "table table--compact" : "table"} aria-label={props.label}>
          <thead>
            <tr>{props.columns}</tr>
          </thead>
          <tbody>
            <For each={props.rows}>{(row) => props.children(row)}</For>
          </tbody>
          {props.foot}
        </table>
      </div>
    </Show>
  );
}

/** The last header cell of a table whose rows end in action buttons: named for screen readers only. */
export function ActionsHeader() {
  return (
    <th scope="col">
      <span class="sr-only">Actions</span>
    </th>
  );
}

/** Plain header cells, one per name; with `actions`, then the `ActionsHeader`. */
export function HeaderCells(props: { names: readonly string[]; actions?: boolean }) {
  return (
    <>
      <For each={props.names}>{(name) => <th scope="col">{name}</th>}</For>
      <Show when={props.actions}>
        <ActionsHeader />
      </Show>
    </>
  );
}

/** The part of an infinite query the "Load more" button reads (a TanStack infinite query result fits). */
interface PagedQuery {
  hasNextPage: boolean;
  isFetchingNextPage: boolean;
  fetchNextPage(): Promise<unknown>;
}

/**
 * "Load more" under a paged list, while the query has a next page: in a pager row, or (`block`) a button as wide as
 * the list.
 */
export function LoadMore(props: { query: PagedQuery; block?: boolean }) {
  const button = () => (
    <button
      type="button"
      class={props.block ? "button button--block" : "button"}
      aria-disabled={props.query.isFetchingNextPage ? "true" : undefined}
      onClick={() => void props.query.fetchNextPage()}
    >
      {props.query.isFetchingNextPage ? "Loading…" : "Load more"}
    </button>
  );
  return (
    <Show when={props.query.hasNextPage}>
      <Show when={!props.block} fallback={button()}>
        <div class="pager">{button()}</div>
      </Show>
    </Show>
  );
}
