import { compileForbiddenPhrase, type ForbiddenPhraseMatcher } from "./forbidden-phrase-matcher";
import type { Category, ForbiddenPhrase, ModerationRule, ProtocolDocument } from "./protocol-document";
import { compilePattern, compileTerms, type ProtocolPattern } from "./protocol-regex";

export interface CompiledCategory {
  category: Category;
  /** Keywords and phrases as one whole-word regex; `null` when the category has only patterns. */
  terms: RegExp | null;
  patterns: ProtocolPattern[];
}

export interface CompiledModerationRule {
  rule: ModerationRule;
  /** The profanity words; `null` for other kinds. */
  words: RegExp | null;
  /** The spam patterns; empty for other kinds. */
  patterns: ProtocolPattern[];
}

export interface CompiledForbiddenPhrase {
  forbiddenPhrase: ForbiddenPhrase;
  matcher: ForbiddenPhraseMatcher;
}

/** A protocol's matchers, built once. None keeps state between calls (no `g` or `y` flag), so sharing them is safe. */
export interface CompiledProtocol {
  categories: CompiledCategory[];
  moderationRules: CompiledModerationRule[];
  forbiddenPhrases: CompiledForbiddenPhrase[];
}

const compiledProtocols = new WeakMap<ProtocolDocument, CompiledProtocol>();

/**
 * A stored pattern: a version saved before patterns ran on RE2 may hold one RE2 cannot run (lookaround,
 * backreferences). It matches nothing rather than stopping the client's ingest; saving the protocol again names it.
 */
function compileStoredPattern(pattern: string): ProtocolPattern {
  try {
    return compilePattern(pattern);
  } catch {
    return { source: pattern, test: () => false };
  }
}

/**
 * The protocol's regexes, cached per protocol object. Protocol versions are immutable: a changed
 * protocol is a new object and compiles afresh; never mutate one in place after classifying with it.
 */
export function compileProtocol(protocol: ProtocolDocument): CompiledProtocol {
  const cached = compiledProtocols.get(protocol);
  if (cached) return cached;
  const compiled: CompiledProtocol = {
    categories: protocol.categories.map((category) => ({
      category,
      terms: compileTerms(category.match),
      patterns: (category.match.patterns ?? []).map(compileStoredPattern),
    })),
    moderationRules: protocol.moderationRules.map((rule) => ({
      rule,
      words: rule.kind === "profanity" ? compileTerms({ keywords: rule.words }) : null,
      patterns: rule.kind === "spam" ? rule.patterns.map(compileStoredPattern) : [],
    })),
    forbiddenPhrases: protocol.forbiddenPhrases.map((forbiddenPhrase) => ({
      forbiddenPhrase,
      matcher: compileForbiddenPhrase(forbiddenPhrase.phrase),
    })),
  };
  compiledProtocols.set(protocol, compiled);
  return compiled;
}
