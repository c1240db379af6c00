/**
 * A holding statement for a whole incident, written once with per-customer variables so that every customer's
 * reply differs (the protocol's duplicate check blocks the same text twice on a channel; its authenticity check
 * warns on replies that read alike). Pure: no I/O.
 */

import { AppError } from "@parley/contracts";

/** What each variable becomes for one item. */
export interface HoldingStatementItem {
  authorHandle: string;
  authorDisplayName: string | null;
  platform: string;
  body: string;
}

/** Words of the customer's own message quoted back to them. */
const quotedWords = 12;

const variables = {
  /** The customer's display name, else their handle. */
  name: (item: HoldingStatementItem) => (item.authorDisplayName ?? "").trim() || item.authorHandle,
  handle: (item: HoldingStatementItem) => `@${item.authorHandle.replace(/^@/, "")}`,
  platform: (item: HoldingStatementItem) => platformNames[item.platform] ?? item.platform,
  /** The start of the customer's own message, quoted. */
  their_words: (item: HoldingStatementItem) => {
    const words = item.body.replace(/\s+/g, " ").trim().split(" ");
    return `"${words.slice(0, quotedWords).join(" ")}${words.length > quotedWords ? "…" : ""}"`;
  },
} satisfies Record<string, (item: HoldingStatementItem) => string>;

type Variable = keyof typeof variables;

export const holdingStatementVariables = Object.keys(variables) as Variable[];

/** Variables that differ from one customer to the next: a statement must use one. */
const personalVariables: readonly Variable[] = ["name", "handle", "their_words"];

const platformNames: Record<string, string> = {
  facebook: "Facebook",
  instagram: "Instagram",
  x: "X",
  youtube: "YouTube",
  forum: "the forum",
  reviews: "the review site",
  generic: "this channel",
};

const variablePattern = /\{([^{}]*)\}/g;

/** BAD_INPUT naming the field `statement` when it uses an unknown variable or none that differs per customer. */
export function assertHoldingStatement(statement: string): void {
  const used = [...statement.matchAll(variablePattern)].map((match) => (match[1] ?? "").trim());
  const unknown = used.filter((name) => !(name in variables));
  if (unknown.length > 0) {
    throw new AppError("BAD_INPUT", `Unknown variable {${unknown[0]}} in the holding statement`, {
      reason: "unknown_variable",
      fields: {
        statement: `uses {${unknown.join("}, {")}}; the variables are {${holdingStatementVariables.join("}, {")}}`,
      },
    });
  }
  if (!used.some((name) => personalVariables.includes(name as Variable))) {
    throw new AppError("BAD_INPUT", "The holding statement would read the same to every customer", {
      reason: "statement_not_personal",
      fields: { statement: `must use at least one of {${personalVariables.join("}, {")}} so each reply differs` },
    });
  }
}

/** The statement written for one item's customer. */
export function writeHoldingStatement(statement: string, item: HoldingStatementItem): string {
  return statement.replace(variablePattern, (_, name: string) => variables[name.trim() as Variable](item));
}
