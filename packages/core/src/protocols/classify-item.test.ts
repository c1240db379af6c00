import { describe, expect, it } from "vitest";
import { classifyItem } from "./classify-item";
import { compileProtocol } from "./compile-protocol";
import { gamesPublisherProtocolInput, gamesPublisherProtocol as protocol } from "./games-publisher-protocol.fixture";
import { parseProtocolDocument, protocolDocument, storedProtocolDocument } from "./protocol-document";

describe("classifyItem: categories", () => {
  it.each([
    {
      body: "I want a REFUND for this broken DLC",
      categoryKey: "refund",
      priority: "P2",
      authority: "approval",
      riskFlags: [],
    },
    { body: "Still waiting on my refunds after two weeks", categoryKey: "refund", priority: "P2" },
    { body: "Ich will eine Rückerstattung!", categoryKey: "refund", priority: "P2" },
    {
      body: "My account got hijacked last night",
      categoryKey: "account_hacked",
      priority: "P1",
      riskFlags: ["safety"],
    },
    {
      body: "Mon compte a été piraté, aidez-moi",
      categoryKey: "account_hacked",
      authority: "triage",
      riskFlags: ["safety"],
    },
    { body: "My lawyer will be in touch", categoryKey: "legal_threat", riskFlags: ["legal"], authority: "triage" },
    { body: "Honestly I'm considering legal\n action", categoryKey: "legal_threat" },
    { body: "Best game of the year, thank you!", categoryKey: "praise", priority: "P4", authority: "respond" },
    { body: "Will you pursue a sequel?", categoryKey: "general", priority: "P3", authority: "respond" },
    { body: "Love the new map but my account was hacked", categoryKey: "account_hacked", priority: "P1" },
    {
      body: "My account was hacked and I want my money back, I'm calling a lawyer",
      categoryKey: "legal_threat",
      priority: "P1",
      riskFlags: ["legal", "safety"],
      matchedCategoryKeys: ["legal_threat", "account_hacked", "refund"],
    },
    { body: "Nothing about the patch notes yet?", categoryKey: "general", matchedCategoryKeys: [] },
  ])("files $body under $categoryKey", ({ body, ...expected }) => {
    expect(classifyItem({ protocol, body })).toMatchObject(expected);
  });

  it("breaks a priority tie in favour of the category listed first", () => {
    const body = "Hacked again, my solicitor is drafting the lawsuit";
    expect(classifyItem({ protocol, body })).toMatchObject({
      categoryKey: "legal_threat",
      matchedCategoryKeys: ["legal_threat", "account_hacked"],
      riskFlags: ["legal", "safety"],
    });
    const swapped = parseProtocolDocument({ ...protocol, categories: [...protocol.categories].reverse() });
    expect(classifyItem({ protocol: swapped, body }).categoryKey).toBe("account_hacked");
  });

  it("matches keywords as whole words in any script", () => {
    expect(classifyItem({ protocol, body: "Sue the devs? lol" }).categoryKey).toBe("legal_threat");
    expect(classifyItem({ protocol, body: "suede jacket skin when" }).categoryKey).toBe("general");
    expect(classifyItem({ protocol, body: "nonrefundable?? really" }).categoryKey).toBe("general");
    expect(classifyItem({ protocol, body: "Rückerstattungsantrag gestellt" }).categoryKey).toBe("general");
  });

  it("applies a language-limited category only to items in that language (or of unknown language)", () => {
    const german = "Warum hat das Spiel eine USK 18 Altersfreigabe und nicht USK 16?";
    expect(classifyItem({ protocol, body: german })).toMatchObject({ categoryKey: "age_rating_de", language: "de" });
    const english = "What is the USK rating of the game and why is it so high?";
    expect(classifyItem({ protocol, body: english })).toMatchObject({ categoryKey: "general", language: "en" });
    expect(classifyItem({ protocol, body: "USK 18?" })).toMatchObject({
      categoryKey: "age_rating_de",
      language: "und",
    });
    expect(classifyItem({ protocol, body: english, language: "de-AT" })).toMatchObject({
      categoryKey: "age_rating_de",
      language: "de",
    });
  });
});

describe("classifyItem: language", () => {
  it.each([
    ["The update broke my save and I can't load it anymore", "en"],
    ["Ich habe das Spiel gekauft und es startet nicht mehr", "de"],
    ["Je ne peux pas lancer le jeu depuis la mise à jour", "fr"],
    ["No puedo jugar con mis amigos desde la actualización", "es"],
    ["Non riesco a giocare con i miei amici, il gioco si blocca", "it"],
    ["Ik kan het spel niet meer opstarten na de update", "nl"],
    ["Não consigo jogar com meus amigos desde a atualização, é muito chato", "pt"],
    ["gg wp", "und"],
    ["🔥🔥🔥", "und"],
  ])("detects %j as %s", (body, language) => {
    expect(classifyItem({ protocol, body }).language).toBe(language);
  });

  it("takes the given language over detection", () => {
    expect(classifyItem({ protocol, body: "The game is great", language: "PT-br" }).language).toBe("pt");
  });
});

describe("classifyItem: moderation", () => {
  it.each([
    { body: "This patch is shit", action: "hide", reasons: ['profanity ("shit")'] },
    { body: "Absolute SHITSHOW of a launch", action: "hide", reasons: ['profanity ("SHITSHOW")'] },
    { body: "Was für eine Scheiße", action: "hide" },
    { body: "The swanky new skins are great", action: null, reasons: [] },
    { body: "Mail me at jo.bloggs+games@example.co.uk", action: "hide", reasons: ["personal data (e-mail address)"] },
    { body: "Call me on +44 7700 900123 please", action: "hide", reasons: ["personal data (phone number)"] },
    { body: "my number is (0161) 496-0000", action: "hide", reasons: ["personal data (phone number)"] },
    { body: "ruf an: 0049 30 901820 11", action: "hide", reasons: ["personal data (phone number)"] },
    { body: "Charged twice on 4111 1111 1111 1111 exp 12/27", reasons: ["personal data (payment card number)"] },
    { body: "card 5500-0000-0000-0004 was charged", reasons: ["personal data (payment card number)"] },
    { body: "paid with 378282246310005", reasons: ["personal data (payment card number)"] },
    { body: "Order 4111 1111 1111 1112 never arrived", action: null, reasons: [] },
    { body: "Order #123456789 never arrived", action: null, reasons: [] },
    { body: "I bought 3 copies for 59.99 on 2024-03-01", action: null, reasons: [] },
    {
      body: "Check https://cheap-keys.example/deal",
      action: "flag",
      reasons: ["link (https://cheap-keys.example/deal)"],
    },
    { body: "see bit.ly/3xYz for the leak", action: "flag", reasons: ["link (bit.ly/3xYz)"] },
    { body: "Loved it.it was great", action: null, reasons: [] },
    { body: "FREE V-BUCKS here!!", action: "delete", reasons: ["spam (matches /free\\s+(?:v-?bucks|gems|coins)/)"] },
    {
      body: "DM me for cheap keys: scam@keys.example or www.keys.example, you wanker",
      action: "delete",
      reasons: [
        'profanity ("wanker")',
        "personal data (e-mail address)",
        "link (www.keys.example)",
        "spam (matches /(?:dm|message)\\s+me\\s+for\\s+(?:cheap|free)/)",
      ],
    },
  ])("$body → $action", ({ body, ...expected }) => {
    expect(classifyItem({ protocol, body }).moderation).toMatchObject(expected);
  });

  it("names every kind of personal data a rule watches, and ignores the kinds it does not", () => {
    const body = "jo@example.com / +31 20 794 0958 / 4012 8888 8888 1881";
    expect(classifyItem({ protocol, body }).moderation.reasons).toEqual([
      "personal data (e-mail address, phone number, payment card number)",
    ]);
    const cardsOnly = parseProtocolDocument({
      ...protocol,
      moderationRules: [{ kind: "personal_data", action: "delete", personalData: ["payment_card"] }],
    });
    expect(classifyItem({ protocol: cardsOnly, body: "jo@example.com" }).moderation).toEqual({
      action: null,
      reasons: [],
    });
  });
});

describe("compileProtocol", () => {
  it("compiles a protocol's regexes once and reuses them", () => {
    const first = compileProtocol(protocol);
    classifyItem({ protocol, body: "refund please" });
    expect(compileProtocol(protocol)).toBe(first);
    expect(compileProtocol(protocol).categories[0]?.terms).toBe(first.categories[0]?.terms);
  });

  it("compiles an equal but distinct protocol object afresh", () => {
    const copy = structuredClone(protocol);
    expect(compileProtocol(copy)).not.toBe(compileProtocol(protocol));
    expect(classifyItem({ protocol: copy, body: "refund please" }).categoryKey).toBe("refund");
  });
});

describe("classifyItem: time", () => {
  const withPatterns = (patterns: string[]) =>
    parseProtocolDocument({
      ...protocol,
      categories: [
        ...protocol.categories,
        { key: "codes", name: "Codes", match: { patterns }, priority: "P3", authority: "respond" },
      ],
    });

  it("classifies (\\w|\\d)*x against a comment of 40 digits without backtracking", () => {
    const withBadPattern = withPatterns(["(\\w|\\d)*x"]);
    // A backtracking engine took 14 s for 29 digits and doubles with each one more: 40 would take hours. The bound
    // is that far from any busy machine's pause.
    const started = performance.now();
    expect(classifyItem({ protocol: withBadPattern, body: "1".repeat(40) }).categoryKey).toBe("general");
    expect(performance.now() - started).toBeLessThan(1_000);
  });

  it("stops running the client's patterns once the item's budget is spent, and flags the item for a person", () => {
    let now = 0;
    const ran: string[] = [];
    // Each pattern "costs" 10 ms on the fake clock.
    const clock = () => now;
    const slow = withPatterns(["first\\d", "second\\d", "third\\d"]);
    const compiled = compileProtocol(slow).categories.at(-1);
    for (const pattern of compiled?.patterns ?? []) {
      const test = pattern.test;
      pattern.test = (text) => {
        ran.push(pattern.source);
        now += 10;
        return test(text);
      };
    }
    const classification = classifyItem({ protocol: slow, body: "third1", budgetMs: 15, clock });
    expect(ran).toEqual(["first\\d", "second\\d"]);
    expect(classification.categoryKey).toBe("general");
    expect(classification.moderation.action).toBe("flag");
    expect(classification.moderation.reasons).toContain(
      "the protocol's patterns ran out of time on this item: check it by hand",
    );
  });
});

describe("classifyItem: protocols saved under older pattern rules", () => {
  it("loads a stored version whose pattern RE2 cannot run, and classifies with that pattern matching nothing", () => {
    const input = {
      ...gamesPublisherProtocolInput,
      categories: [
        ...gamesPublisherProtocolInput.categories,
        { key: "old", name: "Old", match: { patterns: ["(?<!not )broken"] }, priority: "P1", authority: "respond" },
      ],
    };
    expect(protocolDocument.safeParse(input).success).toBe(false);
    const stored = storedProtocolDocument.parse(input);
    expect(classifyItem({ protocol: stored, body: "The game is broken" }).categoryKey).toBe("general");
  });
});
