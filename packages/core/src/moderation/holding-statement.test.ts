import { describe, expect, it } from "vitest";
import { assertHoldingStatement, writeHoldingStatement } from "./holding-statement";

const customer = (authorHandle: string, authorDisplayName: string | null, body: string) => ({
  authorHandle,
  authorDisplayName,
  platform: "facebook",
  body,
});

describe("holding statements", () => {
  it("writes each customer's own name, handle, platform and words into the statement", () => {
    const statement = "Hi {name}, thanks for flagging {their_words} on {platform}. We are on it, {handle}.";
    expect(writeHoldingStatement(statement, customer("ana_k", "Ana", "Servers down again, can't log in"))).toBe(
      'Hi Ana, thanks for flagging "Servers down again, can\'t log in" on Facebook. We are on it, @ana_k.',
    );
    expect(writeHoldingStatement("Hi {name}", customer("bo", null, "x"))).toBe("Hi bo");
  });

  it("quotes at most twelve words of the customer's message", () => {
    const text = writeHoldingStatement(
      "{their_words}",
      customer("a", null, "one two three four five six seven eight nine ten eleven twelve thirteen"),
    );
    expect(text).toBe('"one two three four five six seven eight nine ten eleven twelve…"');
  });

  it.each([
    ["an unknown variable", "Hi {firstname}, we are on it", "unknown_variable"],
    ["no variable that differs per customer", "We are on it on {platform}", "statement_not_personal"],
    ["no variable at all", "We are on it", "statement_not_personal"],
  ])("refuses a statement with %s, naming the field", (_, statement, reason) => {
    expect(() => assertHoldingStatement(statement)).toThrow(
      expect.objectContaining({ code: "BAD_INPUT", details: expect.objectContaining({ reason }) }),
    );
    try {
      assertHoldingStatement(statement);
    } catch (err) {
      expect((err as { details: { fields: Record<string, string> } }).details.fields.statement).toBeTruthy();
    }
  });
});
