import { type ProtocolDocumentInput, parseProtocolDocument } from "./protocol-document";

/** A games publisher's brand protocol, as its client admin would submit it: the tests' one fixture. */
export const gamesPublisherProtocolInput = {
  categories: [
    {
      key: "legal_threat",
      name: "Legal threat",
      match: {
        keywords: ["lawyer*", "lawsuit", "sue", "solicitor*", "anwalt"],
        phrases: ["legal action", "small claims court", "class action"],
      },
      priority: "P1",
      riskFlags: ["legal"],
      authority: "triage",
    },
    {
      key: "account_hacked",
      name: "Account hacked",
      match: {
        keywords: ["hacked", "compromised", "gehackt", "piraté"],
        phrases: ["someone logged into my account", "stole my account"],
        patterns: ["account\\s+(?:was\\s+|got\\s+)?(?:stolen|hijacked)"],
      },
      priority: "P1",
      riskFlags: ["safety"],
      authority: "triage",
    },
    {
      key: "refund",
      name: "Refund request",
      match: {
        keywords: ["refund*", "chargeback", "rückerstattung", "remboursement", "reembolso"],
        phrases: ["money back", "want my money"],
      },
      priority: "P2",
      authority: "approval",
    },
    {
      key: "age_rating_de",
      name: "Age rating (Germany)",
      match: { keywords: ["usk", "altersfreigabe", "jugendschutz"], languages: ["de"] },
      priority: "P2",
      riskFlags: ["legal"],
      authority: "approval",
    },
    {
      key: "praise",
      name: "Praise",
      match: { keywords: ["love", "amazing", "awesome", "masterpiece"], phrases: ["best game", "thank you"] },
      priority: "P4",
      authority: "respond",
    },
  ],
  defaultCategory: { key: "general", priority: "P3" },
  moderationRules: [
    { kind: "profanity", action: "hide", words: ["shit*", "bastard*", "wanker", "scheiße"] },
    { kind: "personal_data", action: "hide" },
    { kind: "links", action: "flag" },
    {
      kind: "spam",
      action: "delete",
      patterns: ["free\\s+(?:v-?bucks|gems|coins)", "(?:dm|message)\\s+me\\s+for\\s+(?:cheap|free)"],
    },
  ],
  forbiddenPhrases: [
    { phrase: "we guarantee", reason: "Legal: never promise an outcome" },
    { phrase: "refund approved", reason: "Only the client's billing team approves refunds" },
    { phrase: "our fault", reason: "Legal: no admission of liability" },
  ],
  approvedAnswers: [
    {
      id: "refund-policy",
      categoryKey: "refund",
      text: "Refunds for digital purchases are handled by the store you bought from. Our support team can walk you through it at support.emberfall.example.",
    },
    {
      id: "account-recovery",
      categoryKey: "account_hacked",
      platforms: ["facebook", "x"],
      text: "Please don't share any details here. Our account security team will contact you by DM.",
    },
  ],
  acknowledgementTemplates: [
    "Thanks for flagging this. We've passed it to the right team and will update you here.",
    "Sorry to hear that. Our specialists have your message and will come back to you shortly.",
    "We hear you. This is now with the team who can help, and we'll follow up on this thread.",
  ],
  maxReplyLength: { facebook: 2000 },
  voiceGuidelines: "Warm, direct and brief. First names, no corporate jargon, one emoji at most.",
} satisfies ProtocolDocumentInput;

export const gamesPublisherProtocol = parseProtocolDocument(gamesPublisherProtocolInput);
