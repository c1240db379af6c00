import { maxReportedIssues } from "@parley/contracts";
import { catchAppError } from "@parley/testing";
import { describe, expect, it } from "vitest";
import { parseGenericBatch, signGenericPayload, verifyGenericSignature } from "./generic-ingest";

const secret = "whsec_9f2c4e1ab7d34c0e8a51f6b2d9e07c13";
const now = new Date("2025-03-14T09:26:53Z");
const nowSeconds = now.getTime() / 1000;

const item = {
  externalId: "rev-88213",
  kind: "review",
  author: { externalId: "u-5521", handle: "jess_k", displayName: "Jess K." },
  body: "Order #4471 arrived two weeks late and nobody answered my emails.",
  language: "en-GB",
  createdAt: "2025-03-14T08:59:12+00:00",
  url: "https://reviews.example.com/acme/rev-88213",
};
const body = JSON.stringify(item);

function signedHeaders({
  timestamp,
  rawBody = body,
  key = secret,
}: {
  timestamp: number;
  rawBody?: string;
  key?: string;
}) {
  return { timestamp: String(timestamp), signature: signGenericPayload({ secret: key, timestamp, rawBody }) };
}

describe("verifyGenericSignature", () => {
  const cases: Array<{
    name: string;
    timestamp: string | undefined;
    signature: string | undefined;
    rawBody?: string;
    expected: ReturnType<typeof verifyGenericSignature>;
  }> = [
    { name: "accepts a fresh, correct signature", ...signedHeaders({ timestamp: nowSeconds }), expected: { ok: true } },
    {
      name: "rejects a tampered body",
      ...signedHeaders({ timestamp: nowSeconds }),
      rawBody: body.replace("two weeks", "two days"),
      expected: { ok: false, reason: "bad_signature" },
    },
    {
      name: "rejects a signature made with another secret",
      ...signedHeaders({ timestamp: nowSeconds, key: "whsec_other" }),
      expected: { ok: false, reason: "bad_signature" },
    },
    {
      name: "rejects a timestamp swapped after signing",
      timestamp: String(nowSeconds - 10),
      signature: signedHeaders({ timestamp: nowSeconds }).signature,
      expected: { ok: false, reason: "bad_signature" },
    },
    {
      name: "accepts a timestamp exactly 300 s old",
      ...signedHeaders({ timestamp: nowSeconds - 300 }),
      expected: { ok: true },
    },
    {
      name: "rejects a timestamp 301 s old",
      ...signedHeaders({ timestamp: nowSeconds - 301 }),
      expected: { ok: false, reason: "stale_timestamp" },
    },
    {
      name: "accepts a timestamp exactly 300 s ahead",
      ...signedHeaders({ timestamp: nowSeconds + 300 }),
      expected: { ok: true },
    },
    {
      name: "rejects a timestamp 301 s ahead",
      ...signedHeaders({ timestamp: nowSeconds + 301 }),
      expected: { ok: false, reason: "stale_timestamp" },
    },
    {
      name: "rejects a missing timestamp header",
      timestamp: undefined,
      signature: signedHeaders({ timestamp: nowSeconds }).signature,
      expected: { ok: false, reason: "missing_timestamp" },
    },
    {
      name: "treats a timestamp that is not unix seconds as missing",
      timestamp: "2025-03-14T09:26:53Z",
      signature: signedHeaders({ timestamp: nowSeconds }).signature,
      expected: { ok: false, reason: "missing_timestamp" },
    },
    {
      name: "rejects a missing signature header",
      timestamp: String(nowSeconds),
      signature: undefined,
      expected: { ok: false, reason: "missing_signature" },
    },
    {
      name: "rejects an empty signature header",
      timestamp: String(nowSeconds),
      signature: "",
      expected: { ok: false, reason: "missing_signature" },
    },
    {
      name: "rejects a signature without the sha256= scheme",
      timestamp: String(nowSeconds),
      signature: signedHeaders({ timestamp: nowSeconds }).signature.replace("sha256=", ""),
      expected: { ok: false, reason: "bad_signature" },
    },
    {
      name: "rejects a truncated signature",
      timestamp: String(nowSeconds),
      signature: signedHeaders({ timestamp: nowSeconds }).signature.slice(0, -2),
      expected: { ok: false, reason: "bad_signature" },
    },
  ];

  it.each(cases)("$name", ({ timestamp, signature, rawBody = body, expected }) => {
    expect(verifyGenericSignature({ secret, timestamp, signature, rawBody, now })).toEqual(expected);
  });

  it("accepts the raw body as bytes and upper-case hex", () => {
    const { timestamp, signature } = signedHeaders({ timestamp: nowSeconds });
    const upper = `sha256=${signature.slice("sha256=".length).toUpperCase()}`;
    const rawBody = new TextEncoder().encode(body);
    expect(verifyGenericSignature({ secret, timestamp, signature: upper, rawBody, now })).toEqual({ ok: true });
  });

  it("refuses to verify against an empty secret", () => {
    const { timestamp, signature } = signedHeaders({ timestamp: nowSeconds });
    const error = catchAppError(() => verifyGenericSignature({ secret: "", timestamp, signature, rawBody: body, now }));
    expect(error.code).toBe("INTERNAL");
    expect(error.details.reason).toBe("missing_secret");
  });
});

describe("parseGenericBatch", () => {
  const itemAt = (index: number) => ({ ...item, externalId: `rev-${index}` });

  it("accepts a single item as an upsert, with createdAt as an instant", () => {
    expect(parseGenericBatch(body, { now })).toEqual([
      {
        op: "upsert",
        item: { ...item, createdAt: new Date("2025-03-14T08:59:12Z") },
      },
    ]);
  });

  it("accepts a batch in order, including a removal with an empty body", () => {
    const events = parseGenericBatch(
      JSON.stringify({
        items: [
          { ...item, kind: "comment", threadExternalId: "post-1", createdAt: "2025-03-14T10:59:12+02:00" },
          { ...item, externalId: "rev-1", op: "remove", body: "" },
        ],
      }),
      { now },
    );
    expect(events.map((event) => [event.op, event.item.externalId, event.item.createdAt.toISOString()])).toEqual([
      ["upsert", "rev-88213", "2025-03-14T08:59:12.000Z"],
      ["remove", "rev-1", "2025-03-14T08:59:12.000Z"],
    ]);
  });

  it("accepts exactly 1000 items", () => {
    const items = Array.from({ length: 1000 }, (_, index) => itemAt(index));
    expect(parseGenericBatch(JSON.stringify({ items }), { now })).toHaveLength(1000);
  });

  it("refuses 1001 items as LIMIT_EXCEEDED before validating them", () => {
    const items = Array.from({ length: 1001 }, (_, index) => (index === 5 ? {} : itemAt(index)));
    const error = catchAppError(() => parseGenericBatch(JSON.stringify({ items }), { now }));
    expect(error.code).toBe("LIMIT_EXCEEDED");
    expect(error.details).toMatchObject({ reason: "batch_too_large", limit: 1000, received: 1001 });
  });

  it.each([
    { name: "truncated JSON", rawBody: '{"items": [{"externalId": "a"' },
    { name: "an empty body", rawBody: "" },
    { name: "form encoding", rawBody: "externalId=a&kind=comment" },
  ])("answers $name with BAD_INPUT naming the body", ({ rawBody }) => {
    const error = catchAppError(() => parseGenericBatch(rawBody, { now }));
    expect(error.code).toBe("BAD_INPUT");
    expect(error.details).toEqual({ reason: "malformed_json", fields: { body: "must be valid JSON" } });
  });

  it("lists every bad item by index and field, and accepts nothing", () => {
    const items = [
      itemAt(0),
      itemAt(1),
      { ...itemAt(2), url: "javascript:alert(1)" },
      { ...itemAt(3), author: { externalId: "u-1" } },
      itemAt(4),
      { ...itemAt(5), kind: "tweet", createdAt: "2025-03-14 08:59:12", body: "" },
      { ...itemAt(6), language: "english", body: "x".repeat(20_001) },
    ];
    const error = catchAppError(() => parseGenericBatch(JSON.stringify({ items }), { now }));
    expect(error.code).toBe("BAD_INPUT");
    expect(error.details.fields).toEqual({
      "items.2.url": "must be an http or https URL",
      "items.3.author.handle": "is required",
      "items.5.kind": "must be one of comment, post, reply, direct_message, mention, review, forum_post",
      "items.5.createdAt": "must be an ISO-8601 date-time with a UTC offset, e.g. 2024-05-01T09:30:00Z",
      "items.5.body": "must not be empty",
      "items.6.language": "must be a language tag such as en, pt-BR or zh-Hant",
      "items.6.body": "must be at most 20000 characters",
    });
    expect(error.message).toContain("items.3.author.handle: is required");
  });

  it("refuses text PostgreSQL cannot store, naming each field", () => {
    const items = [
      { ...itemAt(0), body: "free refunds\u0000" },
      { ...itemAt(1), author: { externalId: "u-1", handle: "cut \ud83c" } },
      { ...itemAt(2), threadExternalId: "\udc00t" },
    ];
    // JSON.stringify writes a lone surrogate as its \u escape, as a platform that cut an emoji in half would.
    const error = catchAppError(() => parseGenericBatch(JSON.stringify({ items }), { now }));
    expect(error.details.fields).toEqual({
      "items.0.body": "must not contain NUL (U+0000) characters",
      "items.1.author.handle": "must be valid Unicode text (it holds half of a surrogate pair)",
      "items.2.threadExternalId": "must be valid Unicode text (it holds half of a surrogate pair)",
    });
  });

  it.each([
    { name: "a single item missing fields", payload: { kind: "comment" }, field: "externalId", message: "is required" },
    { name: "an empty batch", payload: { items: [] }, field: "items", message: "must hold at least one item" },
    {
      name: "items that are not an array",
      payload: { items: "a" },
      field: "items",
      message: "must be an array of items",
    },
    { name: "a top-level array", payload: [item], field: "(body)", message: "must be an item object" },
    { name: "null", payload: null, field: "(body)", message: "must be an item object" },
    { name: "a number", payload: 42, field: "(body)", message: "must be an item object" },
    {
      name: "an unknown op",
      payload: { ...item, op: "delete" },
      field: "op",
      message: "must be one of upsert, remove",
    },
  ])("rejects $name", ({ payload, field, message }) => {
    const error = catchAppError(() => parseGenericBatch(JSON.stringify(payload), { now }));
    expect(error.code).toBe("BAD_INPUT");
    expect(error.details.fields?.[field]).toBe(message);
  });

  it.each([
    { name: "year 0001", createdAt: "0001-01-01T00:00:00Z", message: "must not be before 2000-01-01T00:00:00Z" },
    {
      name: "1970 (a zero unix time)",
      createdAt: "1970-01-01T00:00:00Z",
      message: "must not be before 2000-01-01T00:00:00Z",
    },
    { name: "year 9999", createdAt: "9999-12-31T23:59:59Z", message: "must not be more than a day in the future" },
    { name: "25 hours ahead", createdAt: "2025-03-15T10:26:53Z", message: "must not be more than a day in the future" },
  ])("refuses a createdAt in $name, naming the field", ({ createdAt, message }) => {
    const single = catchAppError(() => parseGenericBatch(JSON.stringify({ ...item, createdAt }), { now }));
    expect(single.code).toBe("BAD_INPUT");
    expect(single.details.fields).toEqual({ createdAt: message });
    const batch = catchAppError(() =>
      parseGenericBatch(JSON.stringify({ items: [itemAt(0), { ...itemAt(1), createdAt }] }), { now }),
    );
    expect(batch.details.fields).toEqual({ "items.1.createdAt": message });
  });

  it("accepts a createdAt on 2000-01-01 and one a little under a day ahead (clock skew)", () => {
    const items = [
      { ...itemAt(0), createdAt: "2000-01-01T00:00:00Z" },
      { ...itemAt(1), createdAt: "2025-03-15T09:26:52Z" },
    ];
    expect(parseGenericBatch(JSON.stringify({ items }), { now })).toHaveLength(2);
  });

  it("takes the brand's own messages and a title", () => {
    const [event] = parseGenericBatch(JSON.stringify({ ...item, byBrand: true, title: "Late order" }), { now });
    expect(event?.item).toMatchObject({ byBrand: true, title: "Late order" });
    const error = catchAppError(() => parseGenericBatch(JSON.stringify({ ...item, byBrand: "yes" }), { now }));
    expect(error.details.fields).toEqual({ byBrand: "must be true or false" });
  });

  it("names at most 100 problems and counts the rest", () => {
    const items = Array.from({ length: 300 }, () => ({}));
    const error = catchAppError(() => parseGenericBatch(JSON.stringify({ items }), { now }));
    expect(Object.keys(error.details.fields ?? {})).toHaveLength(maxReportedIssues);
    expect(error.details.omittedIssues).toBe(300 * 5 - maxReportedIssues);
  });
});
