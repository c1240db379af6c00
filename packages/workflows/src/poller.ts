/**
 * The one loop behind every background poller of an API process (the delivery worker's sweep, the embedded
 * workflow driver, the Inngest relay, the reconciliation sweep, the invoice scheduler): runs `run` every
 * `everyMs` — never two at once, the pause counted from the end of the previous run — logs a failed run through
 * `onError` and carries on, and on `stop()` waits for the run in flight. Its timer never keeps the process alive.
 */
export interface PollerOptions {
  /** Pause between runs. */
  everyMs: number;
  /** Pause before the first run after `start()` (default: none). */
  firstAfterMs?: number;
  /** One run; resolve to `true` when there is more to do at once (a full batch), to skip the pause. */
  run: () => Promise<unknown>;
  /** A run that threw; the poller goes on. */
  onError: (error: unknown) => void;
}

export interface Poller {
  start(): void;
  /** Runs now, or waits for the run under way; resolves once it ended (a failure goes to `onError`). */
  runNow(): Promise<void>;
  /** Stops, and waits for the run in flight. */
  stop(): Promise<void>;
  /** Polling between `start()` and `stop()`. */
  readonly running: boolean;
  /** When a run last ended without throwing. */
  readonly lastRunAt: Date | null;
}

export function createPoller({ everyMs, firstAfterMs = 0, run, onError }: PollerOptions): Poller {
  let running = false;
  let lastRunAt: Date | null = null;
  let timer: ReturnType<typeof setTimeout> | null = null;
  let inFlight: Promise<void> | null = null;

  function schedule(delayMs: number) {
    if (timer) clearTimeout(timer);
    timer = null;
    if (!running) return;
    timer = setTimeout(() => {
      timer = null;
      void runOnce();
    }, delayMs);
    timer.unref();
  }

  function runOnce(): Promise<void> {
    inFlight ??= run()
      .then(
        (more) => {
          lastRunAt = new Date();
          return more === true;
        },
        (error: unknown) => {
          onError(error);
          return false;
        },
      )
      .then((more) => {
        inFlight = null;
        schedule(more ? 0 : everyMs);
      });
    return inFlight;
  }

  return {
    start() {
      if (running) return;
      running = true;
      schedule(firstAfterMs);
    },
    runNow: () => runOnce(),
    async stop() {
      running = false;
      if (timer) clearTimeout(timer);
      timer = null;
      await inFlight;
    },
    get running() {
      return running;
    },
    get lastRunAt() {
      return lastRunAt;
    },
  };
}
