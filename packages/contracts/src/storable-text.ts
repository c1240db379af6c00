/*
 * Text PostgreSQL cannot store. NUL (U+0000) is refused by text and jsonb alike, and half of a UTF-16 surrogate
 * pair on its own is not Unicode: jsonb refuses it, and a text column would silently hold U+FFFD instead. Every
 * input that gets stored is checked with these, so such text is a 400 naming the field, never a failed statement.
 */

const loneSurrogate = /[\ud800-\udbff](?![\udc00-\udfff])|(?<![\ud800-\udbff])[\udc00-\udfff]/;

/** Why PostgreSQL cannot store `text` (a field message), or null when it can. */
export function unstorableTextProblem(text: string): string | null {
  if (text.includes("\u0000")) return "must not contain NUL (U+0000) characters";
  if (loneSurrogate.test(text)) return "must be valid Unicode text (it holds half of a surrogate pair)";
  return null;
}

/**
 * The strings PostgreSQL cannot store anywhere in a parsed input (values and object keys, in arrays and objects),
 * by path: at most `limit` of them.
 */
export function unstorableTextIssues(value: unknown, limit: number): Array<{ path: PropertyKey[]; message: string }> {
  const issues: Array<{ path: PropertyKey[]; message: string }> = [];
  const visit = (node: unknown, path: PropertyKey[]): void => {
    if (issues.length >= limit) return;
    if (typeof node === "string") {
      const message = unstorableTextProblem(node);
      if (message) issues.push({ path, message });
    } else if (Array.isArray(node)) {
      for (const [index, element] of node.entries()) visit(element, [...path, index]);
    } else if (typeof node === "object" && node !== null && Object.getPrototypeOf(node) === Object.prototype) {
      for (const [key, element] of Object.entries(node)) {
        const message = unstorableTextProblem(key);
        if (message && issues.length < limit) issues.push({ path: [...path, key], message: `name ${message}` });
        visit(element, [...path, key]);
      }
    }
  };
  visit(value, []);
  return issues;
}
