import { describe, expect, it } from "vitest";
import { classifyItem } from "../protocols/classify-item";
import { parseProtocolDocument } from "../protocols/protocol-document";
import { demoProtocols } from "./demo-protocols";

const cases: Array<[client: string, body: string, category: string, authority: string]> = [
  ["Hexfall Games", "Someone hacked my account and changed my password", "account_hacked", "triage"],
  ["Hexfall Games", "I want a refund for the deluxe edition", "refund", "approval"],
  ["Hexfall Games", "Servers are down, can't connect since launch", "launch_outage", "respond"],
  ["Brightmart", "My parcel never arrived, where is my order?", "delivery", "respond"],
  ["Brightmart", "How do I return a faulty kettle?", "returns", "respond"],
  ["Cobalt Bank", "I did not make this payment, is this fraud?", "fraud", "triage"],
  ["Cobalt Bank", "Why did my overdraft fee go up?", "fees_and_rates", "approval"],
  ["Cobalt Bank", "Hello there", "general", "approval"],
];

describe("demo protocols", () => {
  it("are valid protocol documents", () => {
    for (const [name, input] of Object.entries(demoProtocols)) {
      expect(() => parseProtocolDocument(input), name).not.toThrow();
    }
  });

  it.each(cases)("%s files %j under %s (%s)", (client, body, category, authority) => {
    const protocol = parseProtocolDocument(demoProtocols[client]);
    expect(classifyItem({ protocol, body, language: "en" })).toMatchObject({ categoryKey: category, authority });
  });
});
