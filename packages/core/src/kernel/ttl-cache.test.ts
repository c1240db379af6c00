import { describe, expect, it } from "vitest";
import { createTtlCache } from "./ttl-cache";

const at = (seconds: number) => new Date(Date.UTC(2026, 11, 5, 12, 0, seconds));

describe("createTtlCache", () => {
  it("serves an entry until its time to live has passed, then forgets it", () => {
    const cache = createTtlCache<string, number>({ ttlMs: 10_000, maxEntries: 10 });
    cache.set("a", 1, at(0));
    expect(cache.get("a", at(9))).toBe(1);
    expect(cache.get("a", at(10))).toBeUndefined();
    expect(cache.get("a", at(0))).toBeUndefined();
  });

  it("makes room by dropping the entry set longest ago", () => {
    const cache = createTtlCache<string, number>({ ttlMs: 10_000, maxEntries: 2 });
    cache.set("a", 1, at(0));
    cache.set("b", 2, at(1));
    cache.set("a", 3, at(2));
    cache.set("c", 4, at(3));
    expect([cache.get("a", at(4)), cache.get("b", at(4)), cache.get("c", at(4))]).toEqual([3, undefined, 4]);
  });

  it("deletes on demand", () => {
    const cache = createTtlCache<string, number>({ ttlMs: 10_000, maxEntries: 10 });
    cache.set("a", 1, at(0));
    cache.delete("a");
    expect(cache.get("a", at(1))).toBeUndefined();
  });
});
