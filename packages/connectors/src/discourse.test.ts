import { catchAppError, discourseTopicPayload } from "@parley/testing";
import { describe, expect, it } from "vitest";
import { mapDiscourseWebhook, verifyDiscourseSignature } from "./discourse";
import { sha256SignatureCases } from "./inbound.fixture";

const secret = "discourse-webhook-secret-41b7";
const forumBaseUrl = "https://community.acme-games.com/";
const now = new Date("2025-03-15T00:00:00Z");

/** A post as Discourse's WebHookPostSerializer sends it (see @parley/testing's platform-payloads for sources). */
const post = {
  id: 248913,
  name: "Priya N.",
  username: "priya_plays",
  avatar_template: "/user_avatar/community.acme-games.com/priya_plays/{size}/5521_2.png",
  created_at: "2025-03-14T09:12:44.318Z",
  cooked: "<p>Since patch 1.4 the game crashes on load. Anyone else?</p>",
  post_number: 1,
  post_type: 1,
  updated_at: "2025-03-14T09:12:44.318Z",
  reply_count: 0,
  reply_to_post_number: null,
  topic_id: 18422,
  topic_slug: "crash-on-load-after-patch-1-4",
  topic_title: "Crash on load after patch 1.4",
  topic_archetype: "regular",
  category_id: 7,
  category_slug: "support",
  user_id: 90211,
  raw: "Since patch 1.4 the game crashes on load. Anyone else?",
  deleted_at: null,
};

const author = { externalId: "90211", handle: "priya_plays", displayName: "Priya N." };

describe("verifyDiscourseSignature", () => {
  const rawBody = JSON.stringify({ post });
  it.each(
    sha256SignatureCases({ sender: "Discourse", secret, rawBody, tamperedBody: rawBody.replace("crashes", "works") }),
  )("$name", ({ rawBody, header, expected }) => {
    expect(verifyDiscourseSignature({ secret, rawBody, header })).toEqual(expected);
  });
});

describe("mapDiscourseWebhook", () => {
  const topicItem = {
    externalId: "248913",
    kind: "forum_post",
    threadExternalId: "18422",
    author,
    title: "Crash on load after patch 1.4",
    body: "Since patch 1.4 the game crashes on load. Anyone else?",
    createdAt: new Date("2025-03-14T09:12:44.318Z"),
    url: "https://community.acme-games.com/t/crash-on-load-after-patch-1-4/18422/1",
  };

  it.each([
    { name: "post_created", event: "post_created", payload: { post }, op: "upsert", item: topicItem },
    {
      name: "post_edited",
      event: "post_edited",
      payload: { post: { ...post, raw: "Fixed by verifying game files.", updated_at: "2025-03-14T10:00:00.000Z" } },
      op: "upsert",
      item: { ...topicItem, body: "Fixed by verifying game files." },
    },
    {
      name: "post_destroyed (no text kept)",
      event: "post_destroyed",
      payload: { post: { ...post, deleted_at: "2025-03-14T11:00:00.000Z" } },
      op: "remove",
      item: { ...topicItem, body: "" },
    },
    {
      name: "post_destroyed without raw (a destroyed post's text is not read)",
      event: "post_destroyed",
      payload: { post: { ...post, raw: undefined } },
      op: "remove",
      item: { ...topicItem, body: "" },
    },
    {
      name: "post_recovered (a restoration)",
      event: "post_recovered",
      payload: { post },
      op: "restore",
      item: topicItem,
    },
    {
      name: "a reply to another post",
      event: "post_created",
      payload: {
        post: {
          ...post,
          id: 248950,
          post_number: 4,
          reply_to_post_number: 2,
          user_id: 5120,
          username: "mod_sam",
          name: "",
          raw: "Can you send us your crash log?",
        },
      },
      op: "upsert",
      item: {
        ...topicItem,
        title: undefined,
        externalId: "248950",
        parentExternalId: "topic:18422#2",
        author: { externalId: "5120", handle: "mod_sam" },
        body: "Can you send us your crash log?",
        url: "https://community.acme-games.com/t/crash-on-load-after-patch-1-4/18422/4",
      },
    },
    {
      name: "a private message without a slug",
      event: "post_created",
      payload: { post: { ...post, topic_archetype: "private_message", topic_slug: null } },
      op: "upsert",
      item: { ...topicItem, kind: "direct_message", url: "https://community.acme-games.com/t/18422/1" },
    },
  ])("maps $name", ({ event, payload, op, item }) => {
    expect(mapDiscourseWebhook({ event, payload, forumBaseUrl, now })).toEqual({ ping: false, events: [{ op, item }] });
  });

  it("answers a ping", () => {
    expect(mapDiscourseWebhook({ event: "ping", payload: { ping: "OK" }, forumBaseUrl, now })).toEqual({ ping: true });
  });

  it.each([
    { name: "topic_created", event: "topic_created" },
    { name: "topic_edited", event: "topic_edited" },
  ])("retitles the topic's first post on $name", ({ event }) => {
    const payload = discourseTopicPayload({ title: "Crash on load after patch 1.4 (fixed in 1.4.1)" });
    expect(mapDiscourseWebhook({ event, payload, forumBaseUrl, now })).toEqual({
      ping: false,
      events: [{ op: "retitle", target: "topic:18422#1", title: "Crash on load after patch 1.4 (fixed in 1.4.1)" }],
    });
  });

  it("marks a post by the channel's API user (any case) as the brand's", () => {
    const reply = { post: { ...post, id: 248999, post_number: 5, username: "Acme_Support", raw: "We're on it." } };
    const mapped = mapDiscourseWebhook({
      event: "post_created",
      payload: reply,
      forumBaseUrl,
      now,
      ownUsername: "acme_support",
    });
    expect(mapped).toMatchObject({ events: [{ op: "upsert", item: { externalId: "248999", byBrand: true } }] });
    const other = mapDiscourseWebhook({
      event: "post_created",
      payload: { post },
      forumBaseUrl,
      now,
      ownUsername: "acme_support",
    });
    expect(other).toMatchObject({ events: [{ item: { byBrand: undefined } }] });
  });

  it.each([
    { name: "year 0001", createdAt: "0001-01-01T00:00:00Z", problem: "must not be before 2000-01-01T00:00:00Z" },
    { name: "year 9999", createdAt: "9999-12-31T23:59:59Z", problem: "must not be more than a day in the future" },
  ])("rejects a created_at in $name, naming the field", ({ createdAt, problem }) => {
    const error = catchAppError(() =>
      mapDiscourseWebhook({
        event: "post_created",
        payload: { post: { ...post, created_at: createdAt } },
        forumBaseUrl,
        now,
      }),
    );
    expect(error.code).toBe("BAD_INPUT");
    expect(error.details.fields).toEqual({ "post.created_at": problem });
  });

  it.each([
    { name: "a user event", event: "user_created", payload: { user: { id: 1 } } },
    { name: "a small action", event: "post_created", payload: { post: { ...post, post_type: 3, raw: "" } } },
    { name: "a whisper", event: "post_created", payload: { post: { ...post, post_type: 4 } } },
    { name: "a post by the system user", event: "post_created", payload: { post: { ...post, user_id: -1 } } },
  ])("acknowledges and ignores $name", ({ event, payload }) => {
    expect(mapDiscourseWebhook({ event, payload, forumBaseUrl, now })).toEqual({ ping: false, events: [] });
  });

  it.each([
    {
      name: "a missing event header",
      event: undefined,
      payload: { post },
      fields: { "X-Discourse-Event": "is required" },
    },
    {
      name: "a payload without a post",
      event: "post_created",
      payload: { topic: {} },
      fields: { post: "is required" },
    },
    {
      name: "a post without its author",
      event: "post_created",
      payload: { post: { ...post, username: "" } },
      fields: { "post.username": "is required" },
    },
    {
      name: "a created post without its text",
      event: "post_created",
      payload: { post: { ...post, raw: undefined } },
      fields: { "post.raw": "is required" },
    },
    {
      name: "a topic event without a title",
      event: "topic_edited",
      payload: { topic: { id: 18422 } },
      fields: { "topic.title": "is required" },
    },
    {
      name: "a created_at without an offset",
      event: "post_created",
      payload: { post: { ...post, created_at: "2025-03-14 09:12:44" } },
      fields: { "post.created_at": "must be an ISO-8601 date-time with a UTC offset" },
    },
  ])("rejects $name", ({ event, payload, fields }) => {
    const error = catchAppError(() => mapDiscourseWebhook({ event, payload, forumBaseUrl, now }));
    expect(error.code).toBe("BAD_INPUT");
    expect(error.details.fields).toEqual(fields);
  });
});
