import type { LiveEvent } from "@parley/contracts";
import { expect } from "vitest";

export type LiveStream = Awaited<ReturnType<typeof openLiveStream>>;

/** An open `GET /events` stream of the server at `baseUrl`, read as the browser's EventSource would: data events and comments. */
export async function openLiveStream(baseUrl: string, cookie: string) {
  const abort = new AbortController();
  const response = await fetch(`${baseUrl}/events`, { headers: { cookie }, signal: abort.signal });
  expect(response.status).toBe(200);
  expect(response.headers.get("content-type")).toMatch(/^text\/event-stream/);
  const reader = response.body?.getReader();
  if (!reader) throw new Error("no body");
  const decoder = new TextDecoder();
  let buffer = "";
  let ended = false;
  const blocks: string[] = [];
  let wake = () => {};
  void (async () => {
    try {
      for (;;) {
        const { done, value } = await reader.read();
        if (done) break;
        buffer += decoder.decode(value, { stream: true });
        let end = buffer.indexOf("\n\n");
        while (end >= 0) {
          blocks.push(buffer.slice(0, end));
          buffer = buffer.slice(end + 2);
          end = buffer.indexOf("\n\n");
        }
        wake();
      }
    } catch {
      // aborted by the test
    }
    ended = true;
    wake();
  })();
  /** The next block matching `accept` (others are dropped), or null when none comes within `timeoutMs`. */
  async function next(accept: (block: string) => boolean, timeoutMs = 5_000): Promise<string | null> {
    const deadline = Date.now() + timeoutMs;
    for (;;) {
      while (blocks.length > 0) {
        const block = blocks.shift() ?? "";
        if (accept(block)) return block;
      }
      if (ended || Date.now() >= deadline) return null;
      await new Promise<void>((resolve) => {
        wake = resolve;
        setTimeout(resolve, Math.max(0, deadline - Date.now()));
      });
    }
  }
  const isEvent = (block: string) => block.startsWith("data: ");
  const parse = (block: string) => JSON.parse(block.slice("data: ".length)) as LiveEvent;
  return {
    /** The next data event. */
    nextEvent: async (timeoutMs?: number): Promise<LiveEvent | null> => {
      const block = await next(isEvent, timeoutMs);
      return block === null ? null : parse(block);
    },
    /** The next data event of `type` about `subjectId` (others are dropped: an item's clocks announce themselves too). */
    nextEventAbout: async (
      type: LiveEvent["type"],
      subjectId: string,
      timeoutMs?: number,
    ): Promise<LiveEvent | null> => {
      const block = await next((candidate) => {
        if (!isEvent(candidate)) return false;
        const event = parse(candidate);
        return event.type === type && event.subjectId === subjectId;
      }, timeoutMs);
      return block === null ? null : parse(block);
    },
    nextComment: (text: string, timeoutMs?: number) => next((block) => block === `: ${text}`, timeoutMs),
    hasEnded: () => ended,
    close: () => abort.abort(),
  };
}
