import { AppError } from "@parley/contracts";
import fc from "fast-check";
import { describe, expect, it } from "vitest";
import {
  type CheckReplyInput,
  checkReply,
  jaccardSimilarity,
  pickAcknowledgement,
  type RecentReply,
  shinglesOf,
} from "./check-reply";
import { gamesPublisherProtocol as protocol } from "./games-publisher-protocol.fixture";
import { normaliseForComparison } from "./normalise-text";

const now = new Date("2025-03-14T12:00:00Z");
const hoursAgo = (hours: number) => new Date(now.getTime() - hours * 3_600_000);

const draft =
  "Hi Sam, sorry the patch broke your save. Could you send us your player ID by DM so the team can take a look?";

function check(overrides: Partial<CheckReplyInput>) {
  return checkReply({
    protocol,
    platform: "facebook",
    categoryKey: "general",
    channelId: "channel-fb",
    threadId: "thread-1",
    text: draft,
    recentReplies: [],
    now,
    memberAuthority: "respond",
    ...overrides,
  });
}

describe("checkReply", () => {
  it("passes a fresh reply in a category the agency may answer", () => {
    expect(check({})).toEqual({ ok: true, results: [] });
  });

  it.each([
    ["We guarantee a fix by Friday.", "we guarantee", "Legal: never promise an outcome"],
    ["Good news: your\n  REFUND   Approved!", "refund approved", "Only the client's billing team approves refunds"],
    ["Honestly this one is our fault, sorry.", "our fault", "Legal: no admission of liability"],
  ])("blocks %j for its forbidden phrase, with the reason", (text, phrase, reason) => {
    const result = check({ text });
    expect(result.ok).toBe(false);
    expect(result.results).toEqual([
      {
        check: "forbidden_phrase",
        severity: "block",
        message: `Contains the forbidden phrase "${phrase}": ${reason}`,
        details: { phrase, reason },
      },
    ]);
  });

  it.each([
    ["a zero-width space", "We guaran\u200btee a fix by Friday."],
    ["a soft hyphen and a word joiner", "We gua\u00ADran\u2060tee a fix."],
    ["a Cyrillic а and е", "We gu\u0430rant\u0435e a fix."],
    ["full-width letters", "ＷＥ ＧＵＡＲＡＮＴＥＥ a fix."],
    ["a right-to-left override", "We \u202eguarantee\u202c a fix."],
    ["another word form", "We guaranteed a fix by Friday."],
  ])("sees a forbidden phrase through %s", (_, text) => {
    expect(check({ text }).results).toEqual([
      expect.objectContaining({ check: "forbidden_phrase", severity: "block" }),
    ]);
  });

  it.each([
    ["en", "guaranteed return", "We guarantee a return of 10 %.", true],
    ["en", "guaranteed return", "Returns are guaranteed.", false],
    ["en", "refund approved", "Both refunds approved today.", true],
    ["fr", "remboursement garanti", "Des remboursements garantis pour tous.", true],
    ["de", "sichere Rendite", "Wir bieten sicheren Renditen.", true],
    ["es", "reembolso garantizado", "Tenemos reembolsos garantizados.", true],
    ["es", "reembolso garantizado", "Un reembolso no está garantizado.", false],
  ])("%s: forbidden %j matches word forms in %j: %s", (_, phrase, text, blocked) => {
    const withPhrase = { ...protocol, forbiddenPhrases: [{ phrase, reason: "Compliance" }] };
    expect(check({ protocol: withPhrase, text }).ok).toBe(!blocked);
  });

  it("does not see a forbidden phrase inside longer words", () => {
    expect(check({ text: "It's all four faults in the netcode, fixed now." }).ok).toBe(true);
  });

  it.each([
    { platform: "x", length: 280, ok: true },
    { platform: "x", length: 281, ok: false },
    { platform: "facebook", length: 281, ok: true },
    { platform: "facebook", length: 2001, ok: false },
    { platform: "instagram", length: 2200, ok: true },
  ] as const)("on $platform, $length characters → ok: $ok", ({ platform, length, ok }) => {
    const result = check({ platform, text: "a".repeat(length) });
    expect(result.ok).toBe(ok);
    if (!ok) {
      expect(result.results[0]).toMatchObject({
        check: "length",
        severity: "block",
        message: `Too long for ${platform}: ${length} characters, the limit is ${platform === "x" ? 280 : 2000}`,
      });
    }
  });

  it("counts code points, so 280 emoji fit on X", () => {
    expect(check({ platform: "x", text: "🎮".repeat(280) }).ok).toBe(true);
    expect(check({ platform: "x", text: "🎮".repeat(281) }).ok).toBe(false);
  });

  it.each([
    { categoryKey: "praise", ok: true, results: [] },
    {
      categoryKey: "refund",
      ok: true,
      results: [
        {
          check: "authority",
          severity: "warn",
          details: { categoryKey: "refund", authority: "approval", requiresApproval: true },
        },
      ],
    },
    {
      categoryKey: "account_hacked",
      ok: false,
      results: [
        {
          check: "authority",
          severity: "block",
          message: 'Category "account_hacked" is triage-only: this category may only be acknowledged and escalated',
        },
      ],
    },
    { categoryKey: "legal_threat", ok: false, results: [{ check: "authority", severity: "block" }] },
    {
      categoryKey: "bug_report",
      ok: false,
      results: [{ check: "authority", severity: "block", details: { reason: "unknown_category" } }],
    },
  ])("authority in $categoryKey → ok: $ok", ({ categoryKey, ok, results }) => {
    const result = check({ categoryKey });
    expect(result.ok).toBe(ok);
    expect(result.results).toMatchObject(results);
  });

  it.each(["general", "refund"])(
    "blocks a member whose authority on the client is triage, even in %s",
    (categoryKey) => {
      expect(check({ categoryKey, memberAuthority: "triage" })).toMatchObject({
        ok: false,
        results: [{ check: "authority", severity: "block", details: { reason: "triage_authority" } }],
      });
    },
  );

  describe("authenticity", () => {
    const earlier: RecentReply = {
      text: "Hi Alex, sorry the patch broke your save. Could you send us your player ID by DM so the team can take a look?",
      sentAt: hoursAgo(30),
      channelId: "channel-ig",
      threadId: "thread-9",
    };
    const unrelated: RecentReply = {
      text: "Thanks for the kind words, the whole team is thrilled you're enjoying the new season!",
      sentAt: hoursAgo(2),
      channelId: "channel-fb",
      threadId: "thread-2",
    };

    it("warns when the draft is at least 80 % like a recent reply, quoting the closest one", () => {
      const similarity = jaccardSimilarity(shinglesOf(draft), shinglesOf(earlier.text));
      expect(similarity).toBeGreaterThanOrEqual(0.8);
      const result = check({ recentReplies: [unrelated, earlier] });
      expect(result.ok).toBe(true);
      expect(result.results).toEqual([
        {
          check: "authenticity",
          severity: "warn",
          message: expect.stringContaining(`${Math.round(similarity * 100)} % similar): "Hi Alex, sorry the patch`),
          details: {
            similarity,
            status: "sent",
            similarText: earlier.text,
            sentAt: earlier.sentAt.toISOString(),
            channelId: "channel-ig",
            threadId: "thread-9",
          },
        },
      ]);
    });

    it("stays quiet for a reply in the same spirit but in fresh words", () => {
      const fresh = "Sam, that's rotten luck with the save! DM us your player ID and we'll get the team on it.";
      expect(jaccardSimilarity(shinglesOf(fresh), shinglesOf(earlier.text))).toBeLessThan(0.8);
      expect(check({ text: fresh, recentReplies: [earlier] }).results).toEqual([]);
    });

    it("compares only the 500 most recent replies", () => {
      const filler = Array.from({ length: 500 }, (_, index) => ({ ...unrelated, sentAt: hoursAgo(index / 100) }));
      expect(check({ recentReplies: [earlier, ...filler] }).results).toEqual([]);
      expect(check({ recentReplies: [earlier, ...filler.slice(1)] }).results).toHaveLength(1);
    });
  });

  describe("replies on their way", () => {
    it.each([
      ["queued", "already queued to be sent"],
      ["pending_approval", "already submitted for approval"],
    ] as const)("counts a reply %s as said: same text on the channel blocks, similar text warns", (status, said) => {
      const recentReplies: RecentReply[] = [{ text: draft, sentAt: hoursAgo(0.1), status, channelId: "channel-fb" }];
      const result = check({ threadId: "thread-2", recentReplies });
      expect(result.ok).toBe(false);
      expect(result.results).toEqual([
        expect.objectContaining({ check: "authenticity", message: expect.stringContaining(`a reply ${said}`) }),
        expect.objectContaining({
          check: "duplicate",
          severity: "block",
          message: `The same reply was ${said} on this channel 0 h ago`,
          details: expect.objectContaining({ status }),
        }),
      ]);
    });
  });

  describe("duplicate", () => {
    const text = "Thanks for your patience, the fix is rolling out tonight.";
    const sent = (hours: number, where: Partial<RecentReply> = {}): RecentReply => ({
      text: "thanks for your   PATIENCE, the fix is rolling out tonight.",
      sentAt: hoursAgo(hours),
      channelId: "channel-fb",
      threadId: "thread-7",
      ...where,
    });

    it.each([
      { case: "same channel 23 h ago", recent: sent(23), ok: false, scope: "channel" },
      { case: "same channel exactly 24 h ago", recent: sent(24), ok: false, scope: "channel" },
      { case: "same channel 25 h ago", recent: sent(25), ok: true },
      { case: "other channel 1 h ago", recent: sent(1, { channelId: "channel-x" }), ok: true },
      { case: "same thread 72 h ago", recent: sent(72, { threadId: "thread-1" }), ok: false, scope: "thread" },
      { case: "same thread 1 h ago", recent: sent(1, { threadId: "thread-1" }), ok: false, scope: "thread" },
    ])("$case → ok: $ok", ({ recent, ok, scope }) => {
      const result = check({ text, recentReplies: [recent] });
      expect(result.ok).toBe(ok);
      const duplicate = result.results.find((entry) => entry.check === "duplicate");
      expect(duplicate?.details.scope).toBe(scope);
      expect(result.results.some((entry) => entry.check === "authenticity")).toBe(true);
    });

    it("says where and when the same reply went out", () => {
      const [duplicate] = check({ text, recentReplies: [sent(3)] }).results.filter(
        ({ check }) => check === "duplicate",
      );
      expect(duplicate).toMatchObject({
        severity: "block",
        message: "The same reply was already sent on this channel 3 h ago",
      });
    });

    it("does not match across threads when the draft has no thread", () => {
      expect(check({ text, threadId: null, recentReplies: [sent(30, { threadId: null })] }).ok).toBe(true);
    });
  });

  it("reports every failing check at once", () => {
    const text = `We guarantee it. ${"x".repeat(300)}`;
    const result = check({ platform: "x", categoryKey: "legal_threat", text });
    expect(result.results.map(({ check }) => check)).toEqual(["forbidden_phrase", "length", "authority"]);
  });
});

describe("jaccardSimilarity", () => {
  it.each([
    ["the patch is live now", "the patch is live now", 1],
    ["the patch is live now", "totally different words here today", 0],
    ["one two three four", "one two three five", 1 / 3],
    ["Thanks!", "thanks", 1],
    ["", "", 0],
  ])("%j vs %j → %d", (a, b, expected) => {
    expect(jaccardSimilarity(shinglesOf(a), shinglesOf(b))).toBeCloseTo(expected, 10);
  });

  it("is symmetric and between 0 and 1", () => {
    fc.assert(
      fc.property(fc.string(), fc.string(), (a, b) => {
        const [left, right] = [shinglesOf(a), shinglesOf(b)];
        const similarity = jaccardSimilarity(left, right);
        return similarity === jaccardSimilarity(right, left) && similarity >= 0 && similarity <= 1;
      }),
    );
    fc.assert(
      fc.property(fc.uniqueArray(fc.string()), fc.uniqueArray(fc.string()), (a, b) => {
        const similarity = jaccardSimilarity(new Set(a), new Set(b));
        return similarity === jaccardSimilarity(new Set(b), new Set(a)) && similarity >= 0 && similarity <= 1;
      }),
    );
  });

  it("scores a non-empty set as identical to itself", () => {
    fc.assert(
      fc.property(fc.uniqueArray(fc.string(), { minLength: 1 }), (values) => {
        return jaccardSimilarity(new Set(values), new Set(values)) === 1;
      }),
    );
  });
});

describe("shinglesOf", () => {
  it("takes overlapping three-word sequences, ignoring case and punctuation", () => {
    expect([...shinglesOf("The fix, the FIX is live!")]).toEqual([
      "the fix the",
      "fix the fix",
      "the fix is",
      "fix is live",
    ]);
    expect([...shinglesOf("Cheers, Sam")]).toEqual(["cheers sam"]);
    expect([...shinglesOf("…")]).toEqual([]);
  });
});

describe("pickAcknowledgement", () => {
  const templates = protocol.acknowledgementTemplates;

  it("rotates to the next template after the one used last on the channel", () => {
    expect(pickAcknowledgement({ templates, lastUsedOnChannel: null })).toBe(templates[0]);
    expect(pickAcknowledgement({ templates, lastUsedOnChannel: templates[0] })).toBe(templates[1]);
    expect(pickAcknowledgement({ templates, lastUsedOnChannel: templates[2] })).toBe(templates[0]);
    expect(pickAcknowledgement({ templates, lastUsedOnChannel: ` ${templates[1]?.toUpperCase()}  ` })).toBe(
      templates[2],
    );
  });

  it("never repeats on a channel twice in a row", () => {
    fc.assert(
      fc.property(
        fc.uniqueArray(fc.string(), { minLength: 2, selector: normaliseForComparison }),
        fc.integer({ min: 1, max: 30 }),
        (candidates, rounds) => {
          let last: string | null = null;
          for (let round = 0; round < rounds; round++) {
            const next = pickAcknowledgement({ templates: candidates, lastUsedOnChannel: last });
            if (last !== null && normaliseForComparison(next) === normaliseForComparison(last)) return false;
            last = next;
          }
          return true;
        },
      ),
    );
  });

  it("refuses when no template differs from the last one", () => {
    expect(() => pickAcknowledgement({ templates: ["Thanks, on it."], lastUsedOnChannel: "thanks,  on it." })).toThrow(
      AppError,
    );
    expect(() => pickAcknowledgement({ templates: [], lastUsedOnChannel: null })).toThrow(AppError);
    expect(pickAcknowledgement({ templates: ["Thanks, on it."], lastUsedOnChannel: null })).toBe("Thanks, on it.");
  });
});
