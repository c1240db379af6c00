import { normaliseForComparison } from "./normalise-text";
import type { ProtocolDocument } from "./protocol-document";

export interface ProtocolChange {
  /** `categories[refund].match.keywords`, `forbiddenPhrases["our fault"].reason`, `maxReplyLength.x`. */
  path: string;
  change: "added" | "removed" | "changed";
  before?: unknown;
  after?: unknown;
}

type Entry = Record<string, unknown>;
type KeysOf = (entries: readonly Entry[]) => string[];

function byField(field: string): KeysOf {
  return (entries) => entries.map((entry) => String(entry[field]));
}

/** Moderation rules have no id: the kind names the rule, numbered when a kind repeats (`spam`, `spam#2`). */
const byKindOccurrence: KeysOf = (entries) => {
  const seen = new Map<string, number>();
  return entries.map((entry) => {
    const kind = String(entry.kind);
    const occurrence = (seen.get(kind) ?? 0) + 1;
    seen.set(kind, occurrence);
    return occurrence === 1 ? kind : `${kind}#${occurrence}`;
  });
};

/** Lists whose entries are matched by identity rather than position, so an insertion is one change. */
const keyedLists: Partial<Record<keyof ProtocolDocument, KeysOf>> = {
  categories: byField("key"),
  moderationRules: byKindOccurrence,
  forbiddenPhrases: (entries) => entries.map((entry) => normaliseForComparison(String(entry.phrase))),
  approvedAnswers: byField("id"),
};

/**
 * What changed between two protocol versions, for the portal's diff view. Fields in document order;
 * entries of keyed lists in the earlier version's order, then new ones in the later version's order;
 * plain lists (keywords, templates) as sets of added and removed values. A reordering of categories is
 * reported too, because among equal priorities the first listed wins.
 */
export function diffProtocols(before: ProtocolDocument, after: ProtocolDocument): ProtocolChange[] {
  const changes: ProtocolChange[] = [];
  diffEntries({ path: "", before, after, changes });
  return changes;
}

interface DiffStep<T> {
  path: string;
  before: T;
  after: T;
  changes: ProtocolChange[];
}

function diffValues({ path, before, after, changes, keysOf }: DiffStep<unknown> & { keysOf?: KeysOf }): void {
  if (Object.is(before, after)) return;
  if (before === undefined) {
    changes.push({ path, change: "added", after });
  } else if (after === undefined) {
    changes.push({ path, change: "removed", before });
  } else if (Array.isArray(before) && Array.isArray(after)) {
    if (keysOf && before.every(isEntry) && after.every(isEntry))
      diffKeyedLists({ path, before, after, changes, keysOf });
    else diffSets({ path, before, after, changes });
  } else if (isEntry(before) && isEntry(after)) {
    diffEntries({ path, before, after, changes });
  } else {
    changes.push({ path, change: "changed", before, after });
  }
}

function diffEntries({ path, before, after, changes }: DiffStep<Entry>): void {
  const fields = [...new Set([...Object.keys(before), ...Object.keys(after)])];
  for (const field of fields) {
    diffValues({
      path: path ? `${path}.${field}` : field,
      before: before[field],
      after: after[field],
      changes,
      keysOf: path ? undefined : keyedLists[field as keyof ProtocolDocument],
    });
  }
}

function diffKeyedLists({
  path,
  before,
  after,
  changes,
  keysOf,
}: DiffStep<readonly Entry[]> & { keysOf: KeysOf }): void {
  const beforeKeys = keysOf(before);
  const afterKeys = keysOf(after);
  const afterByKey = new Map(afterKeys.map((key, index) => [key, after[index]]));
  const beforeByKey = new Map(beforeKeys.map((key, index) => [key, before[index]]));
  const pathOf = (key: string) => `${path}[${/^[\w#-]+$/.test(key) ? key : JSON.stringify(key)}]`;
  beforeKeys.forEach((key, index) => {
    diffValues({ path: pathOf(key), before: before[index], after: afterByKey.get(key), changes });
  });
  afterKeys.forEach((key, index) => {
    if (!beforeByKey.has(key)) changes.push({ path: pathOf(key), change: "added", after: after[index] });
  });
  const keptBefore = beforeKeys.filter((key) => afterByKey.has(key));
  const keptAfter = afterKeys.filter((key) => beforeByKey.has(key));
  if (keptBefore.some((key, index) => keptAfter[index] !== key)) {
    changes.push({ path, change: "changed", before: keptBefore, after: keptAfter });
  }
}

function diffSets({ path, before, after, changes }: DiffStep<readonly unknown[]>): void {
  for (const value of before) if (!after.includes(value)) changes.push({ path, change: "removed", before: value });
  for (const value of after) if (!before.includes(value)) changes.push({ path, change: "added", after: value });
}

function isEntry(value: unknown): value is Entry {
  return typeof value === "object" && value !== null && !Array.isArray(value);
}
