import { createHmac } from "node:crypto";
import {
  catchAppError,
  feedCommentValue,
  feedPostValue,
  instagramCommentValue,
  instagramMentionValue,
  metaDelivery,
  pageMentionValue,
} from "@parley/testing";
import { describe, expect, it } from "vitest";
import { sha256SignatureCases } from "./inbound.fixture";
import type { NormalizedItemEvent } from "./inbound-item";
import { answerMetaVerification, mapMetaWebhook, maxMetaChanges, verifyMetaSignature } from "./meta";

const appSecret = "3f1c0a9e5b7d4c2a8e6f0b1d9c7a5e3f";
const pageId = "104537291837465";
const postId = `${pageId}_822391047755120`;
const permalink = "https://www.facebook.com/acmeoutdoor/posts/pfbid02xYz8s7QvLh";
const from = { id: "6983412277351902", name: "Dana Whitfield" };
const now = new Date("2025-03-14T12:00:00Z");
const map = (payload: unknown, accountId?: string) => mapMetaWebhook(payload, { now, accountId });
const eventsOf = (payload: unknown) => map(payload).events;

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
  const fromCreatedTime = "value.created_time";
  const cases: Array<{ name: string; value: Record<string, unknown>; expected: NormalizedItemEvent[] }> = [
    {
      name: "a new comment on a post",
      value: feedComment({}),
      expected: [
        {
          op: "upsert",
          createdAtFrom: fromCreatedTime,
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
          createdAtFrom: fromCreatedTime,
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
          createdAtFrom: fromCreatedTime,
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
          createdAtFrom: fromCreatedTime,
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
          createdAtFrom: fromCreatedTime,
          item: expect.objectContaining({ body: "[photo] https://scontent.xx.fbcdn.net/v/t39.1997-6/sticker.png" }),
        },
      ],
    },
    {
      name: "a visitor post",
      value: feedPostValue({
        postId,
        from,
        message: "Does the Trailhead 2 tent come in green?",
        createdTime: 1741944000,
      }),
      expected: [
        {
          op: "upsert",
          createdAtFrom: fromCreatedTime,
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
    {
      name: "a visitor post edited with verb `edit`, its author's id a JSON number",
      value: feedPostValue({
        postId,
        verb: "edit",
        from: { id: 8423678347823, name: "Joe" },
        message: "Does it come in green or blue?",
        createdTime: 1741944900,
      }),
      expected: [
        {
          op: "upsert",
          createdAtFrom: fromCreatedTime,
          item: {
            externalId: postId,
            kind: "post",
            threadExternalId: postId,
            author: { externalId: "8423678347823", handle: "Joe", displayName: "Joe" },
            body: "Does it come in green or blue?",
            createdAt: new Date(1741944900 * 1000),
          },
        },
      ],
    },
    {
      name: "a status post with its author as sender_id (a number) and sender_name",
      value: {
        item: "status",
        verb: "add",
        post_id: postId,
        sender_id: 1234567890321,
        sender_name: "Tester",
        published: 1,
        created_time: 1741944000,
        message: "This is just a short test message",
      },
      expected: [
        {
          op: "upsert",
          createdAtFrom: fromCreatedTime,
          item: {
            externalId: postId,
            kind: "post",
            threadExternalId: postId,
            author: { externalId: "1234567890321", handle: "Tester", displayName: "Tester" },
            body: "This is just a short test message",
            createdAt: new Date(1741944000 * 1000),
          },
        },
      ],
    },
  ];

  it.each(cases)("maps $name", ({ value, expected }) => {
    expect(map(pageFeed(value))).toEqual({ events: expected, mentions: [], skipped: [] });
  });

  it("maps a removal without created_time (the page removed it, as captured), taking the entry's time", () => {
    const payload = metaDelivery("page", [
      {
        id: pageId,
        time: 1741944413,
        changes: [
          {
            field: "feed",
            value: feedCommentValue({
              postId,
              commentId: "905578656204626_905579239537901",
              verb: "remove",
              from: { id: pageId, name: "Acme Outdoor" },
            }),
          },
        ],
      },
    ]);
    expect(eventsOf(payload)).toEqual([
      {
        op: "remove",
        createdAtFrom: "entry.time",
        item: expect.objectContaining({ externalId: "905578656204626_905579239537901", body: "", byBrand: true }),
      },
    ]);
    const withoutAnyTime = { object: "page", entry: [{ id: pageId, changes: payload.entry[0]?.changes }] };
    expect(eventsOf(withoutAnyTime)).toEqual([
      { op: "remove", createdAtFrom: "received", item: expect.objectContaining({ createdAt: now }) },
    ]);
  });

  it("marks what the Page itself wrote (`from.id` is the entry's Page id) as the brand's", () => {
    const [echo] = eventsOf(
      pageFeed(
        feedComment({
          comment_id: "c-echo",
          parent_id: "822391047755120_1198832247651093",
          from: { id: pageId, name: "Acme Outdoor" },
        }),
      ),
    );
    expect(echo).toMatchObject({
      op: "upsert",
      item: { kind: "reply", byBrand: true, author: { externalId: pageId } },
    });
    const [customer] = eventsOf(pageFeed(feedComment({})));
    expect(customer && "item" in customer && customer.item.byBrand).toBeUndefined();
    // The channel's own account id counts too (a channel may be set up with it).
    const [byAccount] = map(pageFeed(feedComment({ from: { id: "777", name: "Acme" } })), "777").events;
    expect(byAccount).toMatchObject({ item: { byBrand: true } });
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
    { name: "a hidden comment", value: feedComment({ verb: "hide" }) },
  ])("acknowledges and ignores $name", ({ value }) => {
    expect(map(pageFeed(value))).toEqual({ events: [], mentions: [], skipped: [] });
  });

  it("ignores other fields, Messenger entries and other objects", () => {
    expect(
      map({
        object: "page",
        entry: [
          { id: pageId, time: 1741944413, changes: [{ field: "ratings", value: { review_text: "Great" } }] },
          { id: pageId, time: 1741944413123, messaging: [{ sender: { id: "1" }, message: { text: "hi" } }] },
        ],
      }),
    ).toEqual({ events: [], mentions: [], skipped: [] });
    expect(map({ object: "user", entry: [{ id: "1", time: 1, changes: [] }] }).events).toEqual([]);
  });

  it("keeps delivery order across entries and changes", () => {
    const events = eventsOf(
      pageFeed(
        feedComment({ comment_id: "c1" }),
        { item: "reaction", verb: "add", post_id: postId, from },
        feedComment({ comment_id: "c1", verb: "remove", message: undefined }),
      ),
    );
    expect(events.map((event) => [event.op, "item" in event ? event.item.externalId : null])).toEqual([
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
    {
      name: "an id too large for a JSON number to carry exactly",
      value: feedComment({ from: { id: 17841405822304914, name: "Big" } }),
      fields: {
        "entry.0.changes.1.value.from.id": "must be an id (a whole number this large must be sent as a string)",
      },
    },
    {
      name: "a value that names no item or verb",
      value: { foo: "bar" },
      fields: { "entry.0.changes.1.value": "must name its item and verb" },
    },
  ])("skips $name and keeps the rest of the delivery", ({ value, fields }) => {
    const mapping = map(pageFeed(feedComment({ comment_id: "ok" }), value));
    expect(mapping.events.map((event) => "item" in event && event.item.externalId)).toEqual(["ok"]);
    expect(mapping.skipped).toEqual([{ change: "entry.0.changes.1", fields }]);
  });

  it("skips a change without value, as in a real two-entry capture, and keeps the other entry's comment", () => {
    const payload = metaDelivery("page", [
      { id: pageId, time: 1741944413, changes: [{ field: "feed" }] },
      { id: pageId, time: 1741944414, changes: [{ field: "feed", value: feedComment({ comment_id: "c-2" }) }] },
    ]);
    const mapping = map(payload);
    expect(mapping.events).toHaveLength(1);
    expect(mapping.skipped).toEqual([
      { change: "entry.0.changes.0", fields: { "entry.0.changes.0.value": "is required" } },
    ]);
  });

  it.each([
    { name: "0", createdTime: 0, problem: "must be unix seconds" },
    { name: "a negative time", createdTime: -86400, problem: "must be unix seconds" },
    { name: "a fractional time", createdTime: 1741944410.5, problem: "must be unix seconds" },
    { name: "a time before 2000", createdTime: 86400, problem: "must not be before 2000-01-01T00:00:00Z" },
    { name: "too large to be a whole number", createdTime: 1e20, problem: "must be unix seconds" },
    {
      name: "a time beyond JavaScript's dates",
      createdTime: 9e15,
      problem: "must not be more than a day in the future",
    },
    { name: "year 9999", createdTime: 253402300799, problem: "must not be more than a day in the future" },
    {
      name: "two days ahead",
      createdTime: now.getTime() / 1000 + 2 * 86400,
      problem: "must not be more than a day in the future",
    },
  ])("skips a change whose created_time is $name", ({ createdTime, problem }) => {
    const mapping = map(pageFeed(feedComment({ comment_id: "ok" }), feedComment({ created_time: createdTime })));
    expect(mapping.events).toHaveLength(1);
    expect(mapping.skipped).toEqual([
      { change: "entry.0.changes.1", fields: { "entry.0.changes.1.value.created_time": problem } },
    ]);
  });

  it.each([
    { name: "beyond JavaScript's dates", time: 9e15, problem: "must not be more than a day in the future" },
    { name: "zero", time: 0, problem: "must be unix seconds" },
    { name: "fractional", time: 1741944413.25, problem: "must be unix seconds" },
  ])("skips a change that needs the entry's time when it is $name", ({ time, problem }) => {
    const payload = {
      object: "page",
      entry: [{ id: pageId, time, changes: [{ field: "feed", value: feedComment({ created_time: undefined }) }] }],
    };
    expect(map(payload).skipped).toEqual([{ change: "entry.0.changes.0", fields: { "entry.0.time": problem } }]);
  });

  it("skips an entry that is not an object", () => {
    const mapping = map({
      object: "page",
      entry: ["nonsense", { id: pageId, time: 1741944413, changes: [{ field: "feed", value: feedComment({}) }] }],
    });
    expect(mapping.events).toHaveLength(1);
    expect(mapping.skipped).toEqual([{ change: "entry.0", fields: { "entry.0": "must be an object" } }]);
  });

  it("refuses a body that is not a Meta notification", () => {
    const error = catchAppError(() => map({ hello: "world" }));
    expect(error.code).toBe("BAD_INPUT");
    expect(Object.keys(error.details.fields ?? {})).toEqual(["object", "entry"]);
  });

  it(`refuses more than ${maxMetaChanges} changes, like the generic ingest's batches`, () => {
    const changes = Array.from({ length: maxMetaChanges + 1 }, (_, index) => ({
      field: "feed",
      value: feedComment({ comment_id: `c-${index}` }),
    }));
    const error = catchAppError(() => map({ object: "page", entry: [{ id: pageId, time: 1741944413, changes }] }));
    expect(error.code).toBe("LIMIT_EXCEEDED");
    expect(error.details).toMatchObject({ reason: "batch_too_large", limit: 1000, received: 1001 });
    expect(
      map({ object: "page", entry: [{ id: pageId, time: 1741944413, changes: changes.slice(1) }] }).events,
    ).toHaveLength(1000);
  });
});

describe("mapMetaWebhook: Facebook Page mentions", () => {
  it.each([
    {
      name: "a mention in a post, captured without an author",
      value: pageMentionValue({
        postId: "55501_98722536423179",
        message: "Loving my new tent from @Acme Outdoor",
        createdTime: 1741944300,
      }),
      expected: {
        externalId: "55501_98722536423179",
        kind: "mention",
        threadExternalId: "55501_98722536423179",
        author: { externalId: "unknown:55501_98722536423179", handle: "unknown" },
        body: "Loving my new tent from @Acme Outdoor",
        createdAt: new Date(1741944300 * 1000),
      },
    },
    {
      name: "a mention in a comment, with a `from`",
      value: {
        ...pageMentionValue({
          postId: "55501_7363534231324",
          commentId: "7363534231324_3754798971271444",
          message: "@Acme Outdoor any news?",
          createdTime: 1741944350,
        }),
        from: { id: "6983412277351902", name: "Dana Whitfield" },
      },
      expected: {
        externalId: "7363534231324_3754798971271444",
        kind: "mention",
        threadExternalId: "55501_7363534231324",
        author: { externalId: "6983412277351902", handle: "Dana Whitfield", displayName: "Dana Whitfield" },
        body: "@Acme Outdoor any news?",
        createdAt: new Date(1741944350 * 1000),
      },
    },
  ])("maps $name to a mention item", ({ value, expected }) => {
    const payload = metaDelivery("page", [{ id: pageId, time: 1741944413, changes: [{ field: "mention", value }] }]);
    expect(map(payload)).toEqual({
      events: [{ op: "upsert", createdAtFrom: "value.created_time", item: expected }],
      mentions: [],
      skipped: [],
    });
  });
});

describe("mapMetaWebhook: Instagram", () => {
  const igAccountId = "17841405822304914";
  function instagram(value: Record<string, unknown>, time = 1741944413) {
    return metaDelivery("instagram", [{ id: igAccountId, time, changes: [{ field: "comments", value }] }]);
  }
  const comment = instagramCommentValue({
    id: "17865799348089039",
    text: "@acmeoutdoor my zip broke after two hikes 😞",
    from: { id: "17841401234567890", username: "trail.runner.jo" },
    mediaId: "18031299922154407",
  });

  it.each([
    {
      name: "a comment on a post (the notification's time: the comment has none)",
      value: comment,
      time: 1741944413,
      expected: {
        op: "upsert",
        createdAtFrom: "entry.time",
        item: {
          externalId: "17865799348089039",
          kind: "comment",
          threadExternalId: "18031299922154407",
          author: { externalId: "17841401234567890", handle: "trail.runner.jo" },
          body: "@acmeoutdoor my zip broke after two hikes 😞",
          createdAt: new Date(1741944413 * 1000),
        },
      },
    },
    {
      name: "a reply to a comment (time in milliseconds)",
      value: { ...comment, id: "17912345678901234", parent_id: "17865799348089039", text: "Same with mine" },
      time: 1741944413250,
      expected: {
        op: "upsert",
        createdAtFrom: "entry.time",
        item: {
          externalId: "17912345678901234",
          kind: "reply",
          threadExternalId: "18031299922154407",
          parentExternalId: "17865799348089039",
          author: { externalId: "17841401234567890", handle: "trail.runner.jo" },
          body: "Same with mine",
          createdAt: new Date(1741944413250),
        },
      },
    },
    {
      name: "a comment with its own timestamp (+0000), which wins over the notification's time",
      value: { ...comment, timestamp: "2025-03-14T09:20:05+0000" },
      time: 1741944413,
      expected: {
        op: "upsert",
        createdAtFrom: "value.timestamp",
        item: expect.objectContaining({ createdAt: new Date("2025-03-14T09:20:05Z") }),
      },
    },
    {
      name: "a comment from the dashboard's Test button (no media), an id as a number",
      value: { id: "17865799348089039", text: "This is an example.", from: { id: 17841401234, username: "test" } },
      time: 1741944413,
      expected: {
        op: "upsert",
        createdAtFrom: "entry.time",
        item: {
          externalId: "17865799348089039",
          kind: "comment",
          author: { externalId: "17841401234", handle: "test" },
          body: "This is an example.",
          createdAt: new Date(1741944413 * 1000),
        },
      },
    },
  ])("maps $name", ({ value, time, expected }) => {
    expect(map(instagram(value, time))).toEqual({ events: [expected], mentions: [], skipped: [] });
  });

  it("marks a comment by the account itself (`from.id` is `entry.id`) as the brand's", () => {
    const [event] = eventsOf(
      instagram({
        ...comment,
        from: { id: igAccountId, username: "acmeoutdoor", self_ig_scoped_id: "2105722729836161" },
      }),
    );
    expect(event).toMatchObject({ item: { byBrand: true, author: { externalId: igAccountId } } });
  });

  it("reads live comments like comments", () => {
    const payload = metaDelivery("instagram", [
      { id: igAccountId, time: 1741944413, changes: [{ field: "live_comments", value: comment }] },
    ]);
    expect(eventsOf(payload)).toHaveLength(1);
  });

  it("hands on @mentions (ids only) to be read from the Graph API, and ignores story insights", () => {
    const payload = metaDelivery("instagram", [
      {
        id: igAccountId,
        time: 1741944413,
        changes: [
          {
            field: "mentions",
            value: instagramMentionValue({ mediaId: "17887498072083520", commentId: "17920112008063024" }),
          },
          { field: "mentions", value: { media_id: 17887498072083 } },
          { field: "story_insights", value: { media_id: "1", impressions: 44 } },
        ],
      },
    ]);
    expect(map(payload)).toEqual({
      events: [],
      mentions: [
        {
          change: "entry.0.changes.0",
          accountId: igAccountId,
          mediaId: "17887498072083520",
          commentId: "17920112008063024",
        },
        { change: "entry.0.changes.1", accountId: igAccountId, mediaId: "17887498072083" },
      ],
      skipped: [],
    });
  });

  it("skips a comment without its id or author, and one whose timestamp is out of range", () => {
    const payload = metaDelivery("instagram", [
      {
        id: igAccountId,
        time: 1741944413,
        changes: [
          { field: "comments", value: { ...comment, id: undefined, from: undefined } },
          { field: "comments", value: { ...comment, timestamp: "0001-01-01T00:00:00+0000" } },
          { field: "comments", value: comment },
        ],
      },
    ]);
    const mapping = map(payload);
    expect(mapping.events).toHaveLength(1);
    expect(mapping.skipped).toEqual([
      {
        change: "entry.0.changes.0",
        fields: { "entry.0.changes.0.value.id": "is required", "entry.0.changes.0.value.from": "is required" },
      },
      {
        change: "entry.0.changes.1",
        fields: { "entry.0.changes.1.value.timestamp": "must not be before 2000-01-01T00:00:00Z" },
      },
    ]);
  });
});
