import { catchAppError } from "@parley/testing";
import { describe, expect, it } from "vitest";
import { itemsCsvColumns, parseItemsCsv } from "./csv-import";

const header = itemsCsvColumns.join(",");
const now = new Date("2025-03-14T09:00:00Z");

describe("parseItemsCsv", () => {
  it("reads quoted fields with commas, doubled quotes and line breaks, with CRLF line ends", () => {
    const text = [
      header,
      'fb-1001,comment,post-77,,u-1,Dana Whitfield,"Whitfield, Dana","Still waiting on my refund, order 4471.",en,2025-03-01T09:00:00Z,https://www.facebook.com/acme/posts/77',
      'fb-1002,reply,post-77,fb-1001,u-2,marco.r,,"She said ""next week""\r\nthree weeks ago.\nStill nothing.",,2025-03-01T10:30:00+01:00,',
      "",
    ].join("\r\n");
    expect(parseItemsCsv(text, { now })).toEqual([
      {
        externalId: "fb-1001",
        kind: "comment",
        threadExternalId: "post-77",
        author: { externalId: "u-1", handle: "Dana Whitfield", displayName: "Whitfield, Dana" },
        body: "Still waiting on my refund, order 4471.",
        language: "en",
        createdAt: new Date("2025-03-01T09:00:00Z"),
        url: "https://www.facebook.com/acme/posts/77",
      },
      {
        externalId: "fb-1002",
        kind: "reply",
        threadExternalId: "post-77",
        parentExternalId: "fb-1001",
        author: { externalId: "u-2", handle: "marco.r" },
        body: 'She said "next week"\r\nthree weeks ago.\nStill nothing.',
        createdAt: new Date("2025-03-01T09:30:00Z"),
      },
    ]);
  });

  it("accepts columns in any order, optional columns left out, a BOM, LF line ends and blank lines", () => {
    const text =
      "\uFEFFbody,createdAt,kind,externalId,authorHandle,authorExternalId\n" +
      "Love the new trail shoes,2025-02-11T17:45:00Z,review,rv-9,sam_h,u-9\n" +
      "\n" +
      '"",2025-02-11T17:46:00Z,review,rv-10,sam_h,u-9';
    const error = catchAppError(() => parseItemsCsv(text, { now }));
    expect(error.details.fields).toEqual({ "line 4.body": "is required" });
    expect(parseItemsCsv(text.split("\n").slice(0, 2).join("\n"), { now })).toEqual([
      {
        externalId: "rv-9",
        kind: "review",
        author: { externalId: "u-9", handle: "sam_h" },
        body: "Love the new trail shoes",
        createdAt: new Date("2025-02-11T17:45:00Z"),
      },
    ]);
  });

  it("names the line a bad record starts on, counting line breaks inside quoted fields, and accepts nothing", () => {
    const text = [
      header,
      'fb-1,comment,p-1,,u-1,dana,,"first line\nsecond line\nthird line",en,2025-03-01T09:00:00Z,',
      "fb-2,comment,p-1,,u-2,,,No handle here,en,2025-03-01T09:00:00Z,",
      "fb-3,tweet,p-1,,u-3,kim,,Bad kind and date,english,yesterday,ftp://example.com/x",
      "fb-4,comment,p-1,,u-4,lee,,Fine,en,2025-03-01T09:00:00Z,",
    ].join("\n");
    const error = catchAppError(() => parseItemsCsv(text, { now }));
    expect(error.code).toBe("BAD_INPUT");
    expect(error.details.fields).toEqual({
      "line 5.authorHandle": "is required",
      "line 6.kind": "must be one of comment, post, reply, direct_message, mention, review, forum_post",
      "line 6.language": "must be a language tag such as en, pt-BR or zh-Hant",
      "line 6.createdAt": "must be an ISO-8601 date-time with a UTC offset, e.g. 2024-05-01T09:30:00Z",
      "line 6.url": "must be an http or https URL",
    });
    expect(error.message).toContain("line 5.authorHandle: is required");
  });

  it("names every row whose createdAt is before 2000 or more than a day ahead, and keeps none", () => {
    const text = [
      header,
      "fb-1,comment,p-1,,u-1,dana,,Fine,en,2025-03-01T09:00:00Z,",
      "fb-2,comment,p-1,,u-2,kim,,From year one,en,0001-01-01T00:00:00Z,",
      "fb-3,comment,p-1,,u-3,lee,,From the far future,en,9999-12-31T23:59:59Z,",
    ].join("\n");
    const error = catchAppError(() => parseItemsCsv(text, { now }));
    expect(error.code).toBe("BAD_INPUT");
    expect(error.details.fields).toEqual({
      "line 3.createdAt": "must not be before 2000-01-01T00:00:00Z",
      "line 4.createdAt": "must not be more than a day in the future",
    });
  });

  it("names a cell holding a NUL character, which PostgreSQL cannot store", () => {
    const text = `${header}\nfb-1,comment,p-1,,u-1,dana,,"Hello\u0000there",en,2025-03-01T09:00:00Z,`;
    expect(catchAppError(() => parseItemsCsv(text, { now })).details.fields).toEqual({
      "line 2.body": "must not contain NUL (U+0000) characters",
    });
  });

  it.each([
    {
      name: "a row with too few fields",
      text: `${header}\nfb-1,comment,p-1,,u-1,dana,,Hello,en,2025-03-01T09:00:00Z`,
      fields: { "line 2": "has 10 fields, expected 11" },
    },
    {
      name: "a row with an unescaped comma",
      text: `${header}\nfb-1,comment,p-1,,u-1,dana,,Hello, world,en,2025-03-01T09:00:00Z,`,
      fields: { "line 2": "has 12 fields, expected 11" },
    },
    {
      name: "a quoted field that is never closed",
      text: `${header}\nfb-1,comment,p-1,,u-1,dana,,"Hello\nworld,en,2025-03-01T09:00:00Z,\n`,
      fields: { "line 2": "has a quoted field that is never closed" },
    },
    {
      name: "a quote inside an unquoted field",
      text: `${header}\nfb-1,comment,p-1,,u-1,dana,,He said "hi",en,2025-03-01T09:00:00Z,`,
      fields: { "line 2": "has a quote in an unquoted field (quote the field, double the quote)" },
    },
    {
      name: "text after a closing quote",
      text: `${header}\nfb-1,comment,p-1,,u-1,dana,,"Hello" world,en,2025-03-01T09:00:00Z,`,
      fields: { "line 2": "has text after a closing quote (double a quote inside a quoted field)" },
    },
    {
      name: "an unknown and a missing column",
      text: "externalId,kind,authorId,authorHandle,body,createdAt\n",
      fields: { "line 1.authorId": "is not a known column", "line 1.authorExternalId": "is a required column" },
    },
    {
      name: "a column named twice",
      text: "externalId,kind,authorExternalId,authorHandle,body,createdAt,body\n",
      fields: { "line 1.body": "appears twice" },
    },
    { name: "an empty file", text: "", fields: { "line 1": "must be the header row" } },
  ])("rejects $name", ({ text, fields }) => {
    const error = catchAppError(() => parseItemsCsv(text, { now }));
    expect(error.code).toBe("BAD_INPUT");
    expect(error.details.fields).toEqual(fields);
  });

  it("returns no items for a header-only file", () => {
    expect(parseItemsCsv(`${header}\r\n`, { now })).toEqual([]);
  });

  it("keeps a trailing empty field at the end of the file", () => {
    const items = parseItemsCsv(`${header}\nfb-1,comment,p-1,,u-1,dana,,Hello,en,2025-03-01T09:00:00Z,`, { now });
    expect(items).toHaveLength(1);
    expect(items[0]?.url).toBeUndefined();
  });
});
