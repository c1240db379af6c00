import { For, Show } from "solid-js";
import type { ClientView } from "./clients";

/** A filter's choice of client (archived ones marked); with `all`, "All clients" (value "") leads the list. */
export function ClientSelect(props: {
  id: string;
  clients: ClientView[] | undefined;
  /** The chosen client's id; "" for all clients. */
  value: string;
  onChange: (clientId: string) => void;
  all?: boolean;
  compact?: boolean;
}) {
  return (
    <select
      id={props.id}
      class={props.compact ? "input select select--compact" : "input select"}
      onChange={(e) => props.onChange(e.currentTarget.value)}
    >
      <Show when={props.all}>
        <option value="" selected={!props.value}>
          All clients
        </option>
      </Show>
      <For each={props.clients ?? []}>
        {(client) => (
          <option value={client.id} selected={client.id === props.value}>
            {client.status === "archived" ? `${client.name} (archived)` : client.name}
          </option>
        )}
      </For>
    </select>
  );
}
