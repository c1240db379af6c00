import { describe, expect, it } from "vitest";
import { z } from "zod";
import { localDate } from "./billing";
import { uuid } from "./domain";
import { badInput } from "./errors";

const filters = z.object({ clientId: uuid, from: localDate, channelId: uuid.optional() });
const fieldsOf = (input: unknown) => {
  const parsed = filters.safeParse(input);
  if (parsed.success) return {};
  return badInput(parsed.error.issues).details.fields;
};

describe("field messages", () => {
  it("say a missing id or date is required, not that it is malformed", () => {
    expect(fieldsOf({})).toEqual({ clientId: "is required", from: "is required" });
  });

  it("say what a sent value should look like", () => {
    expect(fieldsOf({ clientId: "nope", from: "2026-13-01", channelId: 7 })).toEqual({
      clientId: "must be a UUID",
      from: "must be a date in the form YYYY-MM-DD",
      channelId: "must be a UUID",
    });
  });
});
