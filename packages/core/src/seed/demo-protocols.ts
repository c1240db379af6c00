import type { ProtocolDocumentInput } from "../protocols/protocol-document";

const acknowledgements = (brand: string) => [
  `Thanks for letting us know. We've passed this to the right team at ${brand} and will update you here.`,
  "Sorry to hear that. Our specialists have your message and will come back to you shortly.",
  "We hear you. This is now with the people who can sort it, and we'll follow up on this thread.",
];

const personalDataRule = { kind: "personal_data", action: "hide" } as const;

/** Hexfall Games: a live-service game around a launch — hacked accounts are urgent, refunds need approval. */
const hexfall = {
  categories: [
    {
      key: "account_hacked",
      name: "Account hacked",
      match: {
        keywords: ["hacked", "compromised", "gehackt", "piraté"],
        phrases: ["someone logged into my account", "stole my account", "changed my password"],
        patterns: ["account\\s+(?:was\\s+|got\\s+)?(?:stolen|hijacked)"],
      },
      priority: "P1",
      riskFlags: ["safety"],
      authority: "triage",
    },
    {
      key: "legal_threat",
      name: "Legal threat",
      match: {
        keywords: ["lawyer*", "lawsuit", "solicitor*"],
        phrases: ["legal action", "small claims", "class action"],
      },
      priority: "P1",
      riskFlags: ["legal"],
      authority: "triage",
    },
    {
      key: "launch_outage",
      name: "Launch: servers and queues",
      match: {
        keywords: ["servers", "outage", "disconnect*", "queue", "lag*"],
        phrases: ["can't connect", "cannot connect", "error code", "stuck at loading"],
      },
      priority: "P2",
      riskFlags: ["crisis"],
      authority: "respond",
    },
    {
      key: "refund",
      name: "Refund request",
      match: {
        keywords: ["refund*", "chargeback", "rückerstattung", "remboursement"],
        phrases: ["money back", "want my money"],
      },
      priority: "P2",
      authority: "approval",
    },
    {
      key: "preorder_bonus",
      name: "Pre-order bonus and DLC",
      match: { keywords: ["preorder", "pre-order", "dlc", "bonus", "code*"], phrases: ["season pass"] },
      priority: "P3",
      authority: "respond",
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
    { kind: "profanity", action: "hide", words: ["shit*", "bastard*", "wanker"] },
    personalDataRule,
    { kind: "links", action: "flag" },
    {
      kind: "spam",
      action: "delete",
      patterns: ["free\\s+(?:gems|coins|skins)", "(?:dm|message)\\s+me\\s+for\\s+free"],
    },
  ],
  forbiddenPhrases: [
    { phrase: "we guarantee", reason: "Legal: never promise an outcome" },
    { phrase: "refund approved", reason: "Only Hexfall's billing team approves refunds" },
    { phrase: "release date", reason: "Dates come from Hexfall's own announcements only" },
  ],
  approvedAnswers: [
    {
      id: "refund-policy",
      categoryKey: "refund",
      text: "Refunds for digital purchases go through the store you bought from. Our support team can walk you through it at support.hexfall.example.",
    },
    {
      id: "account-recovery",
      categoryKey: "account_hacked",
      text: "Please don't share any details here. Our account security team will contact you by private message.",
    },
    {
      id: "server-status",
      categoryKey: "launch_outage",
      text: "We're seeing heavy traffic after launch. Live server status is at status.hexfall.example, and we'll post here as soon as queues clear.",
    },
  ],
  acknowledgementTemplates: acknowledgements("Hexfall"),
  voiceGuidelines: "Playful but never flippant about lost progress or money. First names, one emoji at most.",
} satisfies ProtocolDocumentInput;

/** Brightmart: a retailer — deliveries and returns make up most of the volume. */
const brightmart = {
  categories: [
    {
      key: "delivery",
      name: "Delivery problem",
      match: {
        keywords: ["delivery", "delivered", "courier", "parcel", "package", "tracking"],
        phrases: ["hasn't arrived", "has not arrived", "never arrived", "where is my order"],
      },
      priority: "P2",
      authority: "respond",
    },
    {
      key: "returns",
      name: "Returns and exchanges",
      match: { keywords: ["return*", "exchange", "faulty", "broken", "damaged"], phrases: ["send it back"] },
      priority: "P3",
      authority: "respond",
    },
    {
      key: "product_safety",
      name: "Product safety",
      match: { keywords: ["burn*", "fire", "injur*", "recall", "unsafe"], phrases: ["caught fire"] },
      priority: "P1",
      riskFlags: ["safety", "press"],
      authority: "triage",
    },
    {
      key: "price_complaint",
      name: "Pricing and promotions",
      match: { keywords: ["price*", "voucher*", "discount", "promo*", "overcharged"] },
      priority: "P3",
      authority: "approval",
    },
  ],
  defaultCategory: { key: "general", priority: "P3" },
  moderationRules: [personalDataRule, { kind: "links", action: "flag" }],
  forbiddenPhrases: [
    { phrase: "compensation", reason: "Goodwill gestures are decided by Brightmart customer care" },
    { phrase: "the courier's fault", reason: "Never blame a delivery partner in public" },
  ],
  approvedAnswers: [
    {
      id: "delivery-dm",
      categoryKey: "delivery",
      text: "Sorry your order is late. Send us a private message with your order number and we'll chase it for you.",
    },
    {
      id: "returns-policy",
      categoryKey: "returns",
      text: "You can return most items within 30 days, in store or by post. Start a return at brightmart.example/returns.",
    },
  ],
  acknowledgementTemplates: acknowledgements("Brightmart"),
  maxReplyLength: { x: 260 },
  voiceGuidelines: "Friendly and practical. Always point to the next step the customer can take.",
} satisfies ProtocolDocumentInput;

/** Cobalt Bank: regulated — anything about money needs approval, fraud is escalated at once. */
const cobalt = {
  categories: [
    {
      key: "fraud",
      name: "Fraud and scams",
      match: {
        keywords: ["fraud*", "scam*", "phishing", "unauthorised", "unauthorized", "betrug"],
        phrases: ["didn't make this payment", "did not make this payment", "someone used my card"],
      },
      priority: "P1",
      riskFlags: ["safety", "legal"],
      authority: "triage",
    },
    {
      key: "complaint_regulator",
      name: "Formal complaint / regulator",
      match: { keywords: ["ombudsman", "bafin", "regulator"], phrases: ["formal complaint"] },
      priority: "P1",
      riskFlags: ["legal", "press"],
      authority: "triage",
    },
    {
      key: "fees_and_rates",
      name: "Fees, interest and rates",
      match: { keywords: ["fee*", "interest", "rate*", "overdraft", "charges", "gebühr*", "zins*"] },
      priority: "P2",
      riskFlags: ["legal"],
      authority: "approval",
    },
    {
      key: "loans_mortgages",
      name: "Loans and mortgages",
      match: { keywords: ["loan*", "mortgage*", "credit", "kredit"] },
      priority: "P2",
      riskFlags: ["legal"],
      authority: "approval",
    },
    {
      key: "app_access",
      name: "App and online banking access",
      match: { keywords: ["login", "app", "password", "locked"], phrases: ["can't log in", "cannot log in"] },
      priority: "P2",
      authority: "respond",
    },
  ],
  defaultCategory: { key: "general", priority: "P3", authority: "approval" },
  moderationRules: [
    { kind: "personal_data", action: "hide", personalData: ["email", "phone", "payment_card"] },
    { kind: "links", action: "flag" },
  ],
  forbiddenPhrases: [
    { phrase: "guaranteed return", reason: "Financial promotion rules: no promised returns" },
    { phrase: "financial advice", reason: "The agency may not give or appear to give advice" },
    { phrase: "your money is safe", reason: "Compliance: no blanket assurances" },
  ],
  approvedAnswers: [
    {
      id: "fraud-call",
      categoryKey: "fraud",
      text: "Please don't share any account details here. Call the number on the back of your card now so our fraud team can protect your account.",
    },
    {
      id: "app-status",
      categoryKey: "app_access",
      text: "Sorry you can't get in. Check status.cobalt.example for any disruption, and if the app still locks you out, send us a private message.",
    },
  ],
  acknowledgementTemplates: acknowledgements("Cobalt Bank"),
  voiceGuidelines: "Calm, precise, formal 'you'. Never discuss a customer's account in public.",
} satisfies ProtocolDocumentInput;

/** Lakeside Outfitters (the other agency's client): a small outdoor retailer. */
const lakeside = {
  categories: [
    {
      key: "order_status",
      name: "Order status",
      match: { keywords: ["order", "shipping", "shipped", "tracking"] },
      priority: "P2",
      authority: "respond",
    },
    {
      key: "gear_advice",
      name: "Gear questions",
      match: { keywords: ["size", "sizing", "waterproof", "tent", "boots"] },
      priority: "P4",
      authority: "respond",
    },
  ],
  defaultCategory: { key: "general", priority: "P3" },
  moderationRules: [personalDataRule],
} satisfies ProtocolDocumentInput;

/** The demo brand protocol of each seeded client, by client name. */
export const demoProtocols: Readonly<Record<string, ProtocolDocumentInput>> = {
  "Hexfall Games": hexfall,
  Brightmart: brightmart,
  "Cobalt Bank": cobalt,
  "Lakeside Outfitters": lakeside,
};
