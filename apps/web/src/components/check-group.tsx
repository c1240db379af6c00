import { For, Show } from "solid-js";

export interface CheckOption {
  value: string;
  label: string;
}

/**
 * Checkboxes choosing some of `options` (risk flags, priorities, categories, platforms, people), with the field's
 * hint and message below. A value already chosen that is no longer offered (a category gone from the protocol)
 * stays listed, marked, so it can be unticked.
 */
export function CheckGroup(props: {
  legend: string;
  options: readonly CheckOption[];
  chosen: readonly string[];
  onChange: (next: string[]) => void;
  error?: string | undefined;
  hint?: string;
  /** Said when nothing is offered. */
  empty?: string;
}) {
  const options = () => [
    ...props.options,
    ...props.chosen
      .filter((value) => !props.options.some((option) => option.value === value))
      .map((value) => ({ value, label: `${value} (no longer offered)` })),
  ];
  return (
    <fieldset class="field playbook__checks">
      <legend class="field__label">{props.legend}</legend>
      <div class="playbook__check-row">
        <For each={options()} fallback={<p class="muted">{props.empty}</p>}>
          {(option) => (
            <label class="playbook__check">
              <input
                type="checkbox"
                class="checkbox"
                checked={props.chosen.includes(option.value)}
                onChange={(e) =>
                  props.onChange(
                    e.currentTarget.checked
                      ? [...props.chosen, option.value]
                      : props.chosen.filter((value) => value !== option.value),
                  )
                }
              />{" "}
              {option.label}
            </label>
          )}
        </For>
      </div>
      <Show when={props.hint}>
        <p class="field__hint">{props.hint}</p>
      </Show>
      <Show when={props.error}>{(message) => <p class="field__error">{message()}</p>}</Show>
    </fieldset>
  );
}
