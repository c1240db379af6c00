import { describe, expect, it } from "vitest";
import { type PlantedTopic, plantedMessages } from "./planted-topics.fixture";
import { discoverTopics, stemWord, topicTermsOf } from "./topic-discovery";

/** Each discovered topic's planted topics and their counts. */
function composition(messages: ReturnType<typeof plantedMessages>) {
  const documents = messages.map((message, index) => ({ id: String(index), text: message.text }));
  return discoverTopics(documents).map((topic) => {
    const planted = new Map<PlantedTopic | null, number>();
    for (const id of topic.ids) {
      const source = messages[Number(id)]?.topic ?? null;
      planted.set(source, (planted.get(source) ?? 0) + 1);
    }
    return { topic, planted };
  });
}

describe("topic terms", () => {
  it.each([
    ["delivered", "delivery", "deliveries", "delivering"],
    ["crash", "crashes", "crashing", "crashed"],
    ["livrée", "livré", "livrer", "livraison"],
    ["remboursement", "remboursé", "rembourser"],
    ["lieferung", "lieferungen"],
    ["entrega", "entregas", "entregado"],
  ])("gives %s and its other forms one stem", (...forms) => {
    const stems = new Set(forms.map((form) => topicTermsOf(form)[0]?.stem));
    expect(stems.size).toBe(1);
  });

  it("drops links, mentions, emoji, numbers, elisions and the stop words of four languages", () => {
    const terms = topicTermsOf(
      "@brand Where is my parcel 123456? https://track.example.com/x 😡 L'application ne marche pas, das Paket ist nicht da",
    );
    expect(terms.map((term) => term.word)).toEqual(["parcel", "application", "marche", "paket"]);
  });
});

describe("topic discovery", () => {
  it("finds three planted complaints, in English and French, among one-off messages, with their exact volumes", () => {
    const messages = plantedMessages({ parcel_not_delivered: 40, refund_missing: 25, app_crash_login: 15 }, 300);
    const found = composition(messages);
    const planted = found.filter(({ planted }) => !planted.has(null));
    expect(planted.map(({ topic, planted }) => [[...planted], topic.ids.length])).toEqual([
      [[["parcel_not_delivered", 40]], 40],
      [[["refund_missing", 25]], 25],
      [[["app_crash_login", 15]], 15],
    ]);
    expect(planted.map(({ topic }) => topic.terms[0])).toEqual(["delivered", "remboursement", "app"]);
    expect(planted[0]?.topic.terms).toContain("parcel");
    // The noise makes no topic of any size.
    expect(found.filter(({ planted }) => planted.has(null)).every(({ topic }) => topic.ids.length < 10)).toBe(true);
  });

  it("labels a topic by the terms its items use most, in their spelling, with a key of their stems", () => {
    const [topic] = discoverTopics(
      ["Parcel not delivered", "my parcel was never delivered", "parcel still not delivered!", "Lovely weather"].map(
        (text, index) => ({ id: `item-${index}`, text }),
      ),
    );
    expect(topic).toMatchObject({ terms: ["delivered", "parcel"], ids: ["item-0", "item-1", "item-2"] });
    expect(topic?.key).toBe([stemWord("delivered"), stemWord("parcel")].sort().join("+"));
  });

  it("finds nothing in fewer items than a topic needs", () => {
    expect(
      discoverTopics([
        { id: "a", text: "parcel not delivered" },
        { id: "b", text: "parcel not delivered" },
      ]),
    ).toEqual([]);
  });
});
