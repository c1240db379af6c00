import { type Accessor, createEffect, createSignal, createUniqueId, on, Show } from "solid-js";
import type { QueueCount } from "../../components/work";

/** A console preference kept in this browser (`localStorage`), one of `allowed`. */
function createStoredChoice<T extends string>(key: string, allowed: readonly T[], fallback: T) {
  const read = (): T => {
    try {
      const value = localStorage.getItem(key);
      return allowed.find((option) => option === value) ?? fallback;
    } catch {
      return fallback;
    }
  };
  const [value, setValue] = createSignal<T>(read());
  return [
    value,
    (next: T) => {
      setValue(() => next);
      try {
        localStorage.setItem(key, next);
      } catch {
        // Private windows may refuse storage: the choice then lasts for this page.
      }
    },
  ] as const;
}

export type Density = "comfortable" | "compact";
/** What "Claim next" does while the moderator still holds items. */
export type HeldClaims = "ask" | "release" | "keep";

/** The console's preferences, per browser: row density, claims while holding, P1 alerts and their sound. */
export function createConsoleSettings() {
  const [density, setDensity] = createStoredChoice<Density>(
    "parley.console.density",
    ["comfortable", "compact"],
    "comfortable",
  );
  const [heldClaims, setHeldClaims] = createStoredChoice<HeldClaims>(
    "parley.console.heldClaims",
    ["ask", "release", "keep"],
    "ask",
  );
  const [p1Alerts, setP1Alerts] = createStoredChoice<"on" | "off">("parley.console.p1Alerts", ["on", "off"], "off");
  const [p1Sound, setP1Sound] = createStoredChoice<"on" | "off">("parley.console.p1Sound", ["on", "off"], "off");
  return { density, setDensity, heldClaims, setHeldClaims, p1Alerts, setP1Alerts, p1Sound, setP1Sound };
}
export type ConsoleSettings = ReturnType<typeof createConsoleSettings>;

const notificationsSupported = () => typeof window !== "undefined" && "Notification" in window;

/** A short two-tone chime, made on the spot (no sound file to load). */
function chime(): void {
  try {
    const audio = new AudioContext();
    for (const [n, frequency] of [880, 660].entries()) {
      const tone = audio.createOscillator();
      const gain = audio.createGain();
      tone.frequency.value = frequency;
      gain.gain.setValueAtTime(0.15, audio.currentTime + n * 0.18);
      gain.gain.exponentialRampToValueAtTime(0.001, audio.currentTime + n * 0.18 + 0.16);
      tone.connect(gain).connect(audio.destination);
      tone.start(audio.currentTime + n * 0.18);
      tone.stop(audio.currentTime + n * 0.18 + 0.17);
    }
    setTimeout(() => void audio.close(), 1_000);
  } catch {
    // No audio output: the notification still shows.
  }
}

/**
 * Raises a desktop notification (and the chime, if chosen) when a client's latest P1 arrival moves on between two
 * readings of the live counts (`lastP1At`: seen even when triage escalated the item at once) — never for the first
 * reading, so opening the console is quiet.
 */
export function useP1Alerts(counts: Accessor<QueueCount[] | undefined>, settings: ConsoleSettings): void {
  let previous: Map<string, number> | null = null;
  createEffect(
    on(counts, (rows) => {
      if (!rows) return;
      const latest = new Map(rows.map((row) => [row.clientId, row.lastP1At?.getTime() ?? 0]));
      const before = previous;
      previous = latest;
      if (!before || settings.p1Alerts() !== "on") return;
      for (const row of rows) {
        if ((latest.get(row.clientId) ?? 0) <= (before.get(row.clientId) ?? 0)) continue;
        if (notificationsSupported() && Notification.permission === "granted") {
          new Notification(`New P1 for ${row.clientName}`, {
            body: `A P1 item arrived; ${row.byPriority.P1} P1 waiting in the queue.`,
            tag: `parley-p1-${row.clientId}`,
          });
        }
        if (settings.p1Sound() === "on") chime();
      }
    }),
  );
}

/** The console's preferences as a small menu in its bar. */
export function ConsoleSettingsMenu(props: { settings: ConsoleSettings }) {
  const ids = { density: createUniqueId(), held: createUniqueId() };
  const [permission, setPermission] = createSignal<string>(
    notificationsSupported() ? Notification.permission : "unsupported",
  );
  const toggleAlerts = async (on: boolean) => {
    if (!on) return props.settings.setP1Alerts("off");
    if (notificationsSupported() && Notification.permission === "default") {
      setPermission(await Notification.requestPermission());
    }
    props.settings.setP1Alerts("on");
  };
  return (
    <details class="console-settings">
      <summary class="button button--ghost button--small console-settings__toggle">Settings</summary>
      <fieldset class="console-settings__panel">
        <legend class="sr-only">Console settings</legend>
        <div class="field">
          <label class="field__label" for={ids.density}>
            Rows
          </label>
          <select
            id={ids.density}
            class="input select"
            onChange={(e) => props.settings.setDensity(e.currentTarget.value as Density)}
          >
            <option value="comfortable" selected={props.settings.density() === "comfortable"}>
              Comfortable
            </option>
            <option value="compact" selected={props.settings.density() === "compact"}>
              Compact
            </option>
          </select>
        </div>
        <div class="field">
          <label class="field__label" for={ids.held}>
            Claim next while I hold items
          </label>
          <select
            id={ids.held}
            class="input select"
            onChange={(e) => props.settings.setHeldClaims(e.currentTarget.value as HeldClaims)}
          >
            <option value="ask" selected={props.settings.heldClaims() === "ask"}>
              Ask me
            </option>
            <option value="release" selected={props.settings.heldClaims() === "release"}>
              Release them first
            </option>
            <option value="keep" selected={props.settings.heldClaims() === "keep"}>
              Keep them
            </option>
          </select>
        </div>
        <label class="checkbox-field">
          <input
            type="checkbox"
            class="checkbox"
            checked={props.settings.p1Alerts() === "on"}
            onChange={(e) => void toggleAlerts(e.currentTarget.checked)}
          />
          Desktop notification for a new P1
        </label>
        <Show when={props.settings.p1Alerts() === "on" && permission() === "denied"}>
          <p class="muted">The browser blocks notifications for Parley: allow them in its site settings.</p>
        </Show>
        <Show when={permission() === "unsupported"}>
          <p class="muted">This browser shows no desktop notifications.</p>
        </Show>
        <label class="checkbox-field">
          <input
            type="checkbox"
            class="checkbox"
            checked={props.settings.p1Sound() === "on"}
            onChange={(e) => props.settings.setP1Sound(e.currentTarget.checked ? "on" : "off")}
          />
          Play a sound with it
        </label>
      </fieldset>
    </details>
  );
}
