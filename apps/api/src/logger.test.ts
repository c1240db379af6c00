import { DrizzleQueryError } from "drizzle-orm";
import { describe, expect, it } from "vitest";
import { describeError } from "./logger";

describe("describeError", () => {
  it("keeps a failed query's statement and PostgreSQL's code, and drops its parameters and detail", () => {
    const cause = Object.assign(new Error('duplicate key value violates unique constraint "items_key"'), {
      name: "PostgresError",
      code: "23505",
      detail: "Key (body)=(My card is 4111 1111 1111 1111) already exists.",
      constraint_name: "items_key",
      table_name: "items",
    });
    const error = new DrizzleQueryError(
      "insert into items (body) values ($1)",
      ["My card is 4111 1111 1111 1111"],
      cause,
    );
    const described = describeError(error);
    expect(described).toMatchObject({
      type: "DrizzleQueryError",
      message: "Failed query: insert into items (body) values ($1)",
      cause: { type: "PostgresError", code: "23505", constraint: "items_key", table: "items" },
    });
    expect(described.stack).toMatch(
      /^DrizzleQueryError: Failed query: insert into items \(body\) values \(\$1\)\n\s+at /,
    );
    expect(JSON.stringify(described)).not.toContain("4111");
  });

  it("describes what is not an Error by its type and text", () => {
    expect(describeError("boom")).toEqual({ type: "string", message: "boom" });
  });
});
