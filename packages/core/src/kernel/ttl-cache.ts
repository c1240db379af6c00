/**
 * The one in-process cache with a time to live: an entry is served until `ttlMs` after it was set, then dropped
 * on the next read; at `maxEntries` the entry set longest ago makes room. The caller says what time it is on
 * each call (its injected `Clock`'s instant), so a test's fake time applies here too.
 */
export interface TtlCache<K, V> {
  /** The value set less than `ttlMs` before `at`, if any. */
  get(key: K, at: Date): V | undefined;
  set(key: K, value: V, at: Date): void;
  delete(key: K): void;
}

export function createTtlCache<K, V>({ ttlMs, maxEntries }: { ttlMs: number; maxEntries: number }): TtlCache<K, V> {
  const entries = new Map<K, { value: V; expiresAt: number }>();
  return {
    get(key, at) {
      const entry = entries.get(key);
      if (!entry) return undefined;
      if (entry.expiresAt > at.getTime()) return entry.value;
      entries.delete(key);
      return undefined;
    },
    set(key, value, at) {
      entries.delete(key);
      if (entries.size >= maxEntries) {
        const oldest = entries.keys().next().value;
        if (oldest !== undefined) entries.delete(oldest);
      }
      entries.set(key, { value, expiresAt: at.getTime() + ttlMs });
    },
    delete(key) {
      entries.delete(key);
    },
  };
}
