/**
 * Reads a protocol diff (`protocols.diff`, core's `diffProtocols`) as sentences: `categories[refund].match.keywords`
 * becomes "Category “refund” · keywords", and each value is shown as the editor names it.
 */
import { platformLabels } from "../../roles";

export interface ProtocolChange {
  path: string;
  change: "added" | "removed" | "changed";
  before?: unknown;
  after?: unknown;
}

export interface ChangeLine {
  what: string;
  change: ProtocolChange["change"];
  before: string | null;
  after: string | null;
}

const sections: Record<string, string> = {
  categories: "Category",
  defaultCategory: "Default category",
  moderationRules: "Moderation rule",
  forbiddenPhrases: "Forbidden phrase",
  approvedAnswers: "Approved answer",
  acknowledgementTemplates: "Acknowledgement template",
  maxReplyLength: "Maximum reply length",
  maskPersonalData: "Masked personal data",
  voiceGuidelines: "Voice",
};

const fields: Record<string, string> = {
  match: "",
  keywords: "keywords",
  phrases: "phrases",
  patterns: "patterns",
  languages: "languages",
  riskFlags: "risk flags",
  categoryKey: "category",
  personalData: "personal data kinds",
};

const pathPattern = /^(\w+)(?:\[("(?:[^"\\]|\\.)*"|[^\]]+)\])?(?:\.(.+))?$/;

function isRecord(value: unknown): value is Record<string, unknown> {
  return typeof value === "object" && value !== null && !Array.isArray(value);
}

const clip = (text: string, max = 160) => (text.length > max ? `${text.slice(0, max - 1)}…` : text);

/** A value as a short text: words quoted, lists joined, protocol entries by what names them. */
export function describeValue(value: unknown): string {
  if (value === undefined || value === null) return "—";
  if (typeof value === "string") return `“${clip(value)}”`;
  if (typeof value === "number" || typeof value === "boolean") return String(value);
  if (Array.isArray(value)) return value.length === 0 ? "none" : value.map(describeValue).join(", ");
  if (isRecord(value)) {
    if (typeof value.phrase === "string") return `“${value.phrase}” (${String(value.reason ?? "")})`;
    if (typeof value.name === "string" && typeof value.priority === "string") {
      return `${value.name} — ${value.priority}, ${String(value.authority ?? "")}`;
    }
    if (typeof value.text === "string" && typeof value.categoryKey === "string") {
      return `for ${value.categoryKey}: “${clip(value.text)}”`;
    }
    if (typeof value.kind === "string" && typeof value.action === "string") return `${value.kind} → ${value.action}`;
    return Object.entries(value)
      .map(([key, entry]) => `${fields[key] || key}: ${describeValue(entry)}`)
      .join("; ");
  }
  return String(value);
}

/** One change as a line of the diff view. */
export function describeChange(change: ProtocolChange): ChangeLine {
  const parsed = pathPattern.exec(change.path);
  const [, section = change.path, rawKey, rest] = parsed ?? [];
  const key = rawKey?.startsWith('"') ? (JSON.parse(rawKey) as string) : rawKey;
  const sectionName = sections[section] ?? section;
  // `maxReplyLength.x`: the platform, by its name.
  const field =
    section === "maxReplyLength" && rest
      ? (platformLabels[rest as keyof typeof platformLabels] ?? rest)
      : rest
          ?.split(".")
          .map((part) => fields[part] ?? part)
          .filter(Boolean)
          .join(" › ");
  const reordered = !key && !rest && change.change === "changed" && Array.isArray(change.after);
  const what = reordered
    ? `${sectionName} order`
    : `${sectionName}${key ? ` “${key}”` : ""}${field ? ` · ${field}` : ""}`;
  return {
    what,
    change: change.change,
    before: change.before === undefined ? null : describeValue(change.before),
    after: change.after === undefined ? null : describeValue(change.after),
  };
}
