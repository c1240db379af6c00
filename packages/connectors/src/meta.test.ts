import { createHmac } from "node:crypto";
import { catchAppError } from "@parley/testing";
import { describe, expect, it } from "vitest";
import { sha256SignatureCases } from "./inbound.fixture";
import type { NormalizedItemEvent } from "./inbound-item";
import { answerMetaVerification, mapMetaWebhook, verifyMetaSignature } from "./meta";

const appSecret = "3f1c0a9e5b7d4c2a8e6f0b1d9c7a5e3f";
const pageId = "104537291837465";
const postId = `${pageId}_822391047755120`;
const permalink = "https://www.facebook.com/acmeoutdoor/posts/pfbid02xYz8s7QvLh";
const from = { id: "6983412277351902", name: "Dana Whitfield" };

function pageFeed(...values: Array<Record<string, unknown>>) {
  return {
    object: "page",
    entry: [{ id: pageId, time: 1741944413, changes: values.map((value) => ({ field: "feed", value })) }],
  };
}

function feedComment(overrides: Record<string, unknown>) {
  return {
    from,
    post: { status_type: "added_photos", is_published: true, permalink_url: permalink, id: postId },
    message: "Still waiting on my refund for order 4471, three weeks now.",
    post_id: postId,
    comment_id: "822391047755120_1198832247651093",
    created_time: 1741944410,
    item: "comment",
    parent_id: postId,
    verb: "add",
    ...overrides,
  };
}

describe("answerMetaVerification", () => {
  const verifyToken = "parley-verify-7c1e";
  it.each([
    {
      name: "echoes the challenge for the right token",
      query: { "hub.mode": "subscribe", "hub.verify_token": verifyToken, "hub.challenge": "1158201444" },
      expected: { ok: true, challenge: "1158201444" },
    },
    {
      name: "refuses a wrong token",
      query: { "hub.mode": "subscribe", "hub.verify_token": "parley-verify-0000", "hub.challenge": "1158201444" },
      expected: { ok: false, reason: "bad_verify_token" },
    },
    {
      name: "refuses a missing token",
      query: { "hub.mode": "subscribe", "hub.challenge": "1158201444" },
      expected: { ok: false, reason: "bad_verify_token" },
    },
    {
      name: "refuses another mode",
      query: { "hub.mode": "unsubscribe", "hub.verify_token": verifyToken, "hub.challenge": "1158201444" },
      expected: { ok: false, reason: "bad_mode" },
    },
    {
      name: "refuses a missing challenge",
      query: { "hub.mode": "subscribe", "hub.verify_token": verifyToken },
      expected: { ok: false, reason: "missing_challenge" },
    },
    {
      name: "refuses a challenge that would reflect markup",
      query: { "hub.mode": "subscribe", "hub.verify_token": verifyToken, "hub.challenge": "<script>x</script>" },
      expected: { ok: false, reason: "missing_challenge" },
    },
  ])("$name", ({ query, expected }) => {
    expect(answerMetaVerification({ query, verifyToken })).toEqual(expected);
  });

  it("never matches an unconfigured (empty) verify token", () => {
    const query = { "hub.mode": "subscribe", "hub.verify_token": "", "hub.challenge": "1" };
    expect(answerMetaVerification({ query, verifyToken: "" })).toEqual({ ok: false, reason: "bad_verify_token" });
  });
});

describe("verifyMetaSignature", () => {
  const rawBody = JSON.stringify(pageFeed(feedComment({})));
  it.each([
    ...sha256SignatureCases({
      sender: "Meta",
      secret: appSecret,
      rawBody,
      tamperedBody: rawBody.replace("three weeks", "one week"),
    }),
    {
      name: "rejects the legacy SHA-1 header value",
      rawBody,
      header: `sha1=${createHmac("sha1", appSecret).update(rawBody).digest("hex")}`,
      expected: { ok: false, reason: "bad_signature" },
    },
  ])("$name", ({ rawBody, header, expected }) => {
    expect(verifyMetaSignature({ appSecret, rawBody, header })).toEqual(expected);
  });
});

describe("mapMetaWebhook: Facebook Page feed", () => {
  const author = { externalId: from.id, handle: from.name, displayName: from.name };
  const cases: Array<{ name: string; value: Record<string, unknown>; expected: NormalizedItemEvent[] }> = [
    {
      name: "a new comment on a post",
      value: feedComment({}),
      expected: [
        {
          op: "upsert",
          item: {
            externalId: "822391047755120_1198832247651093",
            kind: "comment",
            threadExternalId: postId,
            author,
            body: "Still waiting on my refund for order 4471, three weeks now.",
            createdAt: new Date(1741944410 * 1000),
            url: permalink,
          },
        },
      ],
    },
    {
      name: "an edited comment",
      value: feedComment({ verb: "edited", message: "Refund arrived, thanks!", created_time: 1741948010 }),
      expected: [
        {
          op: "upsert",
          item: {
            externalId: "822391047755120_1198832247651093",
            kind: "comment",
            threadExternalId: postId,
            author,
            body: "Refund arrived, thanks!",
            createdAt: new Date(1741948010 * 1000),
            url: permalink,
          },
        },
      ],
    },
    {
      name: "a removed comment (no message)",
      value: feedComment({ verb: "remove", message: undefined, post: undefined }),
      expected: [
        {
          op: "remove",
          item: {
            externalId: "822391047755120_1198832247651093",
            kind: "comment",
            threadExternalId: postId,
            author,
            body: "",
            createdAt: new Date(1741944410 * 1000),
          },
        },
      ],
    },
    {
      name: "a reply to a comment (parent_id is the comment)",
      value: feedComment({
        comment_id: "822391047755120_3920178830012458",
        parent_id: "822391047755120_1198832247651093",
        message: "Same here, no reply to my emails either.",
        from: { id: "7120958823310044", name: "Marco Ruiz" },
      }),
      expected: [
        {
          op: "upsert",
          item: {
            externalId: "822391047755120_3920178830012458",
            kind: "reply",
            threadExternalId: postId,
            parentExternalId: "822391047755120_1198832247651093",
            author: { externalId: "7120958823310044", handle: "Marco Ruiz", displayName: "Marco Ruiz" },
            body: "Same here, no reply to my emails either.",
            createdAt: new Date(1741944410 * 1000),
            url: permalink,
          },
        },
      ],
    },
    {
      name: "a photo comment without text",
      value: feedComment({ message: undefined, photo: "https://scontent.xx.fbcdn.net/v/t39.1997-6/sticker.png" }),
      expected: [
        {
          op: "upsert",
          item: expect.objectContaining({ body: "[photo] https://scontent.xx.fbcdn.net/v/t39.1997-6/sticker.png" }),
        },
      ],
    },
    {
      name: "a visitor post",
      value: {
        from,
        message: "Does the Trailhead 2 tent come in green?",
        post_id: postId,
        created_time: 1741944000,
        item: "post",
        verb: "add",
        published: 1,
      },
      expected: [
        {
          op: "upsert",
          item: {
            externalId: postId,
            kind: "post",
            threadExternalId: postId,
            author,
            body: "Does the Trailhead 2 tent come in green?",
            createdAt: new Date(1741944000 * 1000),
          },
        },
      ],
    },
  ];

  it.each(cases)("maps $name", ({ value, expected }) => {
    expect(mapMetaWebhook(pageFeed(value))).toEqual(expected);
  });

  it.each([
    {
      name: "a reaction",
      value: { item: "reaction", verb: "add", reaction_type: "like", post_id: postId, from, created_time: 1741944410 },
    },
    {
      name: "a like",
      value: { item: "like", verb: "add", post_id: postId, user_id: from.id, created_time: 1741944410 },
    },
    { name: "a share", value: { item: "share", verb: "add", post_id: postId, share_id: "1", from, created_time: 1 } },
    {
      name: "the page's own status post",
      value: { item: "status", verb: "add", post_id: postId, from, message: "Hi" },
    },
    { name: "a hidden comment", value: feedComment({ verb: "hide" }) },
    { name: "a value without item or verb", value: { foo: "bar" } },
  ])("acknowledges and ignores $name", ({ value }) => {
    expect(mapMetaWebhook(pageFeed(value))).toEqual([]);
  });

  it("ignores other fields, Messenger entries and other objects", () => {
    expect(
      mapMetaWebhook({
        object: "page",
        entry: [
          { id: pageId, time: 1741944413, changes: [{ field: "ratings", value: { review_text: "Great" } }] },
          { id: pageId, time: 1741944413123, messaging: [{ sender: { id: "1" }, message: { text: "hi" } }] },
        ],
      }),
    ).toEqual([]);
    expect(mapMetaWebhook({ object: "user", entry: [{ id: "1", time: 1, changes: [] }] })).toEqual([]);
  });

  it("keeps delivery order across entries and changes", () => {
    const events = mapMetaWebhook(
      pageFeed(
        feedComment({ comment_id: "c1" }),
        { item: "reaction", verb: "add", post_id: postId, from },
        feedComment({ comment_id: "c1", verb: "remove", message: undefined }),
      ),
    );
    expect(events.map((event) => [event.op, event.item.externalId])).toEqual([
      ["upsert", "c1"],
      ["remove", "c1"],
    ]);
  });

  it.each([
    {
      name: "a comment without its author",
      value: feedComment({ from: undefined }),
      fields: { "entry.0.changes.1.value.from": "is required" },
    },
    {
      name: "a comment without its id",
      value: feedComment({ comment_id: undefined }),
      fields: { "entry.0.changes.1.value.comment_id": "is required" },
    },
    {
      name: "a comment with an ISO created_time",
      value: feedComment({ created_time: "2025-03-14T09:26:50+0000" }),
      fields: { "entry.0.changes.1.value.created_time": "must be unix seconds" },
    },
    {
      name: "an added comment without text or attachment",
      value: feedComment({ message: "" }),
      fields: { "entry.0.changes.1.value.body": "must not be empty" },
    },
  ])("rejects the whole delivery for $name", ({ value, fields }) => {
    const error = catchAppError(() => mapMetaWebhook(pageFeed(feedComment({ comment_id: "ok" }), value)));
    expect(error.code).toBe("BAD_INPUT");
    expect(error.details.fields).toEqual(fields);
  });

  it("rejects a body that is not a Meta notification", () => {
    const error = catchAppError(() => mapMetaWebhook({ hello: "world" }));
    expect(error.code).toBe("BAD_INPUT");
    expect(Object.keys(error.details.fields ?? {})).toEqual(["object", "entry"]);
  });
});

describe("mapMetaWebhook: Instagram comments", () => {
  const igAccountId = "17841405822304914";
  function instagram(value: Record<string, unknown>, time = 1741944413) {
    return { object: "instagram", entry: [{ id: igAccountId, time, changes: [{ field: "comments", value }] }] };
  }
  const comment = {
    from: { id: "17841401234567890", username: "trail.runner.jo" },
    media: { id: "18031299922154407", media_product_type: "FEED" },
    id: "17865799348089039",
    text: "@acmeoutdoor my zip broke after two hikes 😞",
  };

  it.each([
    {
      name: "a comment on a post",
      value: comment,
      time: 1741944413,
      expected: {
        externalId: "17865799348089039",
        kind: "comment",
        threadExternalId: "18031299922154407",
        author: { externalId: "17841401234567890", handle: "trail.runner.jo" },
        body: "@acmeoutdoor my zip broke after two hikes 😞",
        createdAt: new Date(1741944413 * 1000),
      },
    },
    {
      name: "a reply to a comment (time in milliseconds)",
      value: { ...comment, id: "17912345678901234", parent_id: "17865799348089039", text: "Same with mine" },
      time: 1741944413250,
      expected: {
        externalId: "17912345678901234",
        kind: "reply",
        threadExternalId: "18031299922154407",
        parentExternalId: "17865799348089039",
        author: { externalId: "17841401234567890", handle: "trail.runner.jo" },
        body: "Same with mine",
        createdAt: new Date(1741944413250),
      },
    },
  ])("maps $name", ({ value, time, expected }) => {
    expect(mapMetaWebhook(instagram(value, time))).toEqual([{ op: "upsert", item: expected }]);
  });

  it("ignores mentions, story insights and live comments", () => {
    const payload = {
      object: "instagram",
      entry: [
        {
          id: igAccountId,
          time: 1741944413,
          changes: [
            { field: "mentions", value: { media_id: "1", comment_id: "2" } },
            { field: "story_insights", value: { media_id: "1", impressions: 44 } },
            { field: "live_comments", value: comment },
          ],
        },
      ],
    };
    expect(mapMetaWebhook(payload)).toEqual([]);
  });

  it("rejects a comment without its media or username", () => {
    const error = catchAppError(() =>
      mapMetaWebhook(instagram({ ...comment, media: undefined, from: { id: "17841401234567890" } })),
    );
    expect(error.details.fields).toEqual({
      "entry.0.changes.0.value.media": "is required",
      "entry.0.changes.0.value.from.username": "is required",
    });
  });
});
