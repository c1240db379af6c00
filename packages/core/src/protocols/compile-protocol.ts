import type { Category, ForbiddenPhrase, ModerationRule, ProtocolDocument } from "./protocol-document";
import { compilePattern, compilePhrase, compileTerms } from "./protocol-regex";

export interface CompiledCategory {
  category: Category;
  /** Keywords and phrases as one whole-word regex; `null` when the category has only patterns. */
  terms: RegExp | null;
  patterns: RegExp[];
}

export interface CompiledModerationRule {
  rule: ModerationRule;
  /** The profanity words; `null` for other kinds. */
  words: RegExp | null;
  /** The spam patterns; empty for other kinds. */
  patterns: RegExp[];
}

export interface CompiledForbiddenPhrase {
  forbiddenPhrase: ForbiddenPhrase;
  matcher: RegExp;
}

/** A protocol's regexes, built once. None has the `g` or `y` flag, so sharing them between calls is safe. */
export interface CompiledProtocol {
  categories: CompiledCategory[];
  moderationRules: CompiledModerationRule[];
  forbiddenPhrases: CompiledForbiddenPhrase[];
}

const compiledProtocols = new WeakMap<ProtocolDocument, CompiledProtocol>();

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
      patterns: (category.match.patterns ?? []).map(compilePattern),
    })),
    moderationRules: protocol.moderationRules.map((rule) => ({
      rule,
      words: rule.kind === "profanity" ? compileTerms({ keywords: rule.words }) : null,
      patterns: rule.kind === "spam" ? rule.patterns.map(compilePattern) : [],
    })),
    forbiddenPhrases: protocol.forbiddenPhrases.map((forbiddenPhrase) => ({
      forbiddenPhrase,
      matcher: compilePhrase(forbiddenPhrase.phrase),
    })),
  };
  compiledProtocols.set(protocol, compiled);
  return compiled;
}
