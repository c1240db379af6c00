import { type CompiledCategory, type CompiledModerationRule, compileProtocol } from "./compile-protocol";
import { detectLanguage, undeterminedLanguage } from "./detect-language";
import { findPersonalData } from "./find-personal-data";
import { normaliseForMatching } from "./normalise-text";
import {
  type Category,
  type CategoryAuthority,
  type ModerationAction,
  type PersonalDataKind,
  type Priority,
  type ProtocolDocument,
  priorities,
  type RiskFlag,
  riskFlags,
} from "./protocol-document";
import type { ProtocolPattern } from "./protocol-regex";

export interface ClassifyItemInput {
  protocol: ProtocolDocument;
  body: string;
  /** The platform's language tag when it sends one (`en`, `pt-BR`); otherwise detected from the body. */
  language?: string | null;
  /** Time the client's patterns may take on this item (default `classificationBudgetMs`). */
  budgetMs?: number;
  /** A monotonic clock in milliseconds (`performance.now`); tests drive it. */
  clock?: () => number;
}

/**
 * How long a protocol's client-written patterns may run on one item. Each pattern runs in linear time (RE2), and
 * the budget is checked before each one: once it is spent, the remaining patterns are skipped and the item is
 * flagged for a person to look at, so one protocol with many patterns cannot hold up ingest for every tenant.
 */
export const classificationBudgetMs = 100;

export interface ItemClassification {
  categoryKey: string;
  priority: Priority;
  /** The union of the flags of every matched category, not only the winner's. */
  riskFlags: RiskFlag[];
  language: string;
  authority: CategoryAuthority;
  /** Every category that matched, winner first, then in protocol order: why the item was filed where it was. */
  matchedCategoryKeys: string[];
  moderation: { action: ModerationAction | null; reasons: string[] };
}

const actionSeverity: Record<ModerationAction, number> = { flag: 1, hide: 2, delete: 3 };

const personalDataLabels: Record<PersonalDataKind, string> = {
  email: "e-mail address",
  phone: "phone number",
  payment_card: "payment card number",
};

/**
 * Scheme or www links (without trailing punctuation), and bare domains on TLDs that seldom follow a
 * missing space after a full stop ("loved it.it was great" is no link). Not inside an e-mail address.
 */
const linkPattern =
  /(?:https?:\/\/|(?<![\p{L}\p{N}@.-])www\.)[^\s<>"]*[^\s<>".,;:!?)]|(?<![\p{L}\p{N}@._%+-])(?:[\p{L}\p{N}-]+\.)+(?:com|net|org|info|biz|io|ly|app|xyz|shop|store|link|click|ru|cn|tk|uk|eu)(?![\p{L}\p{N}-])(?:\/[^\s<>"]*)?/iu;

/**
 * Files an item under the protocol: the matching category with the highest priority (P1 first; on a
 * tie, the one listed first in the protocol), else the default category; and the most severe
 * moderation action any rule calls for (delete > hide > flag).
 */
export function classifyItem({
  protocol,
  body,
  language,
  budgetMs = classificationBudgetMs,
  clock = () => performance.now(),
}: ClassifyItemInput): ItemClassification {
  const compiled = compileProtocol(protocol);
  const text = normaliseForMatching(body);
  const itemLanguage = primaryLanguageOf(language) ?? detectLanguage(text);
  const budget = patternBudget(budgetMs, clock);
  const matched = compiled.categories
    .filter((entry) => appliesToLanguage(entry.category, itemLanguage) && matchesCategory(entry, text, budget))
    .map(({ category }) => category);
  const winner = matched.reduce<Category | undefined>(
    (best, category) => (best && rankOf(best.priority) <= rankOf(category.priority) ? best : category),
    undefined,
  );
  const flags = new Set(matched.flatMap((category) => category.riskFlags));
  return {
    categoryKey: winner?.key ?? protocol.defaultCategory.key,
    priority: winner?.priority ?? protocol.defaultCategory.priority,
    riskFlags: riskFlags.filter((flag) => flags.has(flag)),
    language: itemLanguage,
    authority: winner?.authority ?? protocol.defaultCategory.authority,
    matchedCategoryKeys: winner ? [winner.key, ...matched.filter((c) => c !== winner).map((c) => c.key)] : [],
    moderation: moderate(compiled.moderationRules, text, budget),
  };
}

interface PatternBudget {
  /** Runs the pattern unless the budget is spent (then it counts as no match). */
  test(pattern: ProtocolPattern, text: string): boolean;
  spent(): boolean;
}

function patternBudget(budgetMs: number, clock: () => number): PatternBudget {
  const deadline = clock() + budgetMs;
  let spent = false;
  return {
    test(pattern, text) {
      if (!spent && clock() > deadline) spent = true;
      return !spent && pattern.test(text);
    },
    spent: () => spent,
  };
}

function rankOf(priority: Priority): number {
  return priorities.indexOf(priority);
}

/** `pt-BR` → `pt`; blank → `null`. */
function primaryLanguageOf(tag: string | null | undefined): string | null {
  const primary = tag?.trim().toLowerCase().split(/[-_]/)[0];
  return primary ? primary : null;
}

/** A category limited to some languages still applies when the item's language is unknown. */
function appliesToLanguage(category: Category, language: string): boolean {
  const { languages } = category.match;
  return !languages || languages.length === 0 || language === undeterminedLanguage || languages.includes(language);
}

function matchesCategory({ terms, patterns }: CompiledCategory, text: string, budget: PatternBudget): boolean {
  return (terms?.test(text) ?? false) || patterns.some((pattern) => budget.test(pattern, text));
}

function moderate(
  rules: readonly CompiledModerationRule[],
  text: string,
  budget: PatternBudget,
): ItemClassification["moderation"] {
  let action: ModerationAction | null = null;
  const reasons: string[] = [];
  const apply = (ruleAction: ModerationAction, reason: string) => {
    reasons.push(reason);
    if (action === null || actionSeverity[ruleAction] > actionSeverity[action]) action = ruleAction;
  };
  for (const rule of rules) {
    const reason = findViolation(rule, text, budget);
    if (reason !== null) apply(rule.rule.action, reason);
  }
  if (budget.spent()) apply("flag", "the protocol's patterns ran out of time on this item: check it by hand");
  return { action, reasons };
}

/** A moderator-readable reason the rule applies, or `null`. Personal data is named, never quoted. */
function findViolation(
  { rule, words, patterns }: CompiledModerationRule,
  text: string,
  budget: PatternBudget,
): string | null {
  switch (rule.kind) {
    case "profanity": {
      const word = words?.exec(text)?.[0];
      return word === undefined ? null : `profanity ("${word}")`;
    }
    case "spam": {
      const pattern = patterns.find((candidate) => budget.test(candidate, text));
      return pattern ? `spam (matches /${pattern.source}/)` : null;
    }
    case "links": {
      const link = linkPattern.exec(text)?.[0];
      return link === undefined ? null : `link (${link})`;
    }
    case "personal_data": {
      const kinds = findPersonalData(text).filter((kind) => rule.personalData.includes(kind));
      return kinds.length === 0 ? null : `personal data (${kinds.map((kind) => personalDataLabels[kind]).join(", ")})`;
    }
  }
}
