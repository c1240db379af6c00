import type { Executor } from "@parley/db";
import type { Scope } from "../kernel/scope";
import { type IngestItemEvent, ingestItems } from "../moderation/ingest-items";
import { sendReply } from "../moderation/replies";
import { recordSandboxPosts } from "../sandbox/sandbox-platform";
import type { DemoClientsSeeded } from "./demo-playbooks";

/** One item of a client's morning: who writes what, where, and how many minutes ago. */
interface MorningItem {
  minutesAgo: number;
  author: string;
  body: string;
  /** The number (1-based) of the earlier item this one answers, on the same channel. */
  replyTo?: number;
  /** The reply the moderator sent two minutes later: in a category that needs approval, it waits for the client. */
  answer?: string;
}

/**
 * Per client, the morning's comments as its protocol sorts them: urgent ones, ones that need the client's
 * approval, a thread, a returning customer (the same name on the same page twice), praise, and what the
 * moderation rules catch (spam, a card number, a link).
 */
const mornings: Record<string, readonly MorningItem[]> = {
  "Hexfall Games": [
    {
      minutesAgo: 44,
      author: "Dana",
      body: "Servers down again since the patch. Can't connect to the EU lobby, error code 1020 every time.",
    },
    {
      minutesAgo: 37,
      author: "Luis",
      body: "Is the season pass included in the deluxe pre-order or sold separately?",
    },
    {
      minutesAgo: 30,
      author: "Priya",
      body: "Same here, stuck at loading for twenty minutes now",
      replyTo: 1,
    },
    {
      minutesAgo: 22,
      author: "Dana",
      body: "Still can't play after two days. I want a refund for the deluxe edition.",
    },
    {
      minutesAgo: 14,
      author: "Kwame",
      body: "Someone hacked my account overnight and changed my password, all my skins are gone!",
    },
    {
      minutesAgo: 6,
      author: "Aiko",
      body: "Best game of the year, thank you for the free weekend!",
    },
    {
      minutesAgo: 3,
      author: "Sven",
      body: "FREE SKINS for everyone this week, DM me for free codes",
    },
  ],
  Brightmart: [
    {
      minutesAgo: 43,
      author: "Marta",
      body: "Three weeks and my order still hasn't arrived. Tracking hasn't moved since Monday.",
    },
    {
      minutesAgo: 35,
      author: "Tom",
      body: "Do you price match? Saw the same kettle 20% cheaper with a voucher elsewhere.",
    },
    {
      minutesAgo: 29,
      author: "Olga",
      body: "Same for me, my parcel has said 'out for delivery' for four days.",
      replyTo: 1,
    },
    {
      minutesAgo: 20,
      author: "Marta",
      body: "It finally came but the glass door is broken. How do I send it back?",
    },
    {
      minutesAgo: 12,
      author: "Ben",
      body: "The toaster I bought last week caught fire this morning. This is dangerous, please recall it.",
    },
    {
      minutesAgo: 7,
      author: "Chloé",
      body: "Lovely staff at the Leeds store today, they found exactly what I needed.",
    },
    {
      minutesAgo: 2,
      author: "Ana",
      body: "Earn $500 a day from home! Details at https://cash-fast.example/join",
    },
  ],
  "Cobalt Bank": [
    {
      minutesAgo: 42,
      author: "Ben",
      body: "Since the update your app says my password is wrong and I can't log in.",
    },
    {
      minutesAgo: 36,
      author: "Priya",
      body: "What overdraft fee do you charge on the current account now?",
      answer:
        "Hi Priya, our arranged overdraft fees are on cobalt.example/fees, and your own rate is in the app under Account > Overdraft. If you'd like to go through it with us, send us a private message.",
    },
    {
      minutesAgo: 27,
      author: "Luis",
      body: "Same here, the app locked me out this morning.",
      replyTo: 1,
    },
    {
      minutesAgo: 18,
      author: "Ben",
      body: "Still locked out, and now I see a £240 card payment I did not make. Someone used my card!",
    },
    {
      minutesAgo: 11,
      author: "Olga",
      body: "Third week without an answer. I'm filing a formal complaint with the ombudsman.",
    },
    {
      minutesAgo: 8,
      author: "Tom",
      body: "My card 4111 1111 1111 1111 was charged twice for the same shop, can you check?",
    },
    {
      minutesAgo: 4,
      author: "Aiko",
      body: "Are mortgage rates going down next month? Thinking about remortgaging.",
    },
  ],
};

/**
 * This morning's queue: each client's comments of the last 45 minutes (`mornings`), ingested like any other
 * (classified by the client's protocol, with customers, SLA clocks and flows), so the console has work the moment
 * the demo starts, and the moderator's (`scope`) answers sent like any other, so the portal has a draft to
 * approve. `npm run simulate` keeps it coming.
 */
export async function seedDemoQueue(
  scope: Scope,
  tx: Executor,
  { clients, channels, now }: DemoClientsSeeded,
): Promise<void> {
  for (const client of clients) {
    const slug = client.name.toLowerCase().replaceAll(" ", "-");
    for (const [n, item] of (mornings[client.name] ?? []).entries()) {
      const channel = channels.find((found) => found.clientId === client.id && found.platform === "sandbox");
      if (!channel) continue;
      const receivedAt = new Date(now.getTime() - item.minutesAgo * 60_000);
      const parent = item.replyTo === undefined ? undefined : `demo-${slug}-${item.replyTo}`;
      const handle = `${item.author.toLowerCase()}_${slug.split("-")[0]}`;
      const event: IngestItemEvent = {
        op: "upsert",
        item: {
          externalId: `demo-${slug}-${n + 1}`,
          kind: parent ? "reply" : "comment",
          ...(parent ? { parentExternalId: parent, threadExternalId: parent } : {}),
          author: { externalId: `demo-${handle}`, handle, displayName: item.author },
          body: item.body,
          createdAt: new Date(receivedAt.getTime() - 60_000),
        },
      };
      const ingestChannel = {
        id: channel.id,
        agencyId: scope.agencyId,
        clientId: client.id,
        platform: channel.platform,
      };
      // The customer wrote it on the sandbox's public page; the platform's webhook brought it to Parley.
      await recordSandboxPosts(tx, [
        {
          ...ingestChannel,
          externalId: event.item.externalId,
          parentExternalId: parent ?? null,
          authorName: item.author,
          body: item.body,
          postedAt: event.item.createdAt,
        },
      ]);
      const ingested = await ingestItems(ingestChannel, tx, { events: [event] }, { now: () => receivedAt });
      const itemId = ingested.items[0]?.id;
      if (item.answer && itemId) {
        const answeredAt = new Date(receivedAt.getTime() + 2 * 60_000);
        await sendReply(scope, tx, { itemId, text: item.answer }, { now: () => answeredAt });
      }
    }
  }
}
