import { describe, expect, it } from "vitest";
import { findPersonalData } from "./find-personal-data";
import { containsCardNumber, isIbanValid, maskPersonalData } from "./mask-personal-data";

describe("maskPersonalData: card numbers and IBANs, always", () => {
  it.each([
    ["My card 4111 1111 1111 1111", "My card •••• •••• •••• 1111", ["pii:card"]],
    ["4111-1111-1111-1111 exp 12/27", "•••• •••• •••• 1111 exp 12/27", ["pii:card"]],
    ["card:4111111111111111.", "card:•••• •••• •••• 1111.", ["pii:card"]],
    ["amex 3782 822463 10005 thanks", "amex •••• •••• •••• 0005 thanks", ["pii:card"]],
    ["4111 1111 1111 1111 12/27", "•••• •••• •••• 1111 12/27", ["pii:card"]],
    ["two: 4111111111111111 and 5555 5555 5555 4444", "two: •••• •••• •••• 1111 and •••• •••• •••• 4444", ["pii:card"]],
    ["not Luhn: 4111 1111 1111 1112", "not Luhn: 4111 1111 1111 1112", []],
    [
      "split by zero-width spaces 4111\u200b1111\u200b1111\u200b1111",
      "split by zero-width spaces •••• •••• •••• 1111",
      ["pii:card"],
    ],
    ["or a bidi override 4111\u202e1111 1111 1111 ok", "or a bidi override •••• •••• •••• 1111 ok", ["pii:card"]],
    ["order 123456789012", "order 123456789012", []],
    ["IBAN GB82 WEST 1234 5698 7654 32 thanks", "IBAN GB•• •••• •••• 5432 thanks", ["pii:iban"]],
    ["iban: de89370400440532013000", "iban: DE•• •••• •••• 3000", ["pii:iban"]],
    ["FR14 2004 1010 0505 0001 3M02 606", "FR•• •••• •••• 2606", ["pii:iban"]],
    ["GB82 WEST 1234 5698 7654 33", "GB82 WEST 1234 5698 7654 33", []],
    [
      "both GB82WEST12345698765432 / 4111111111111111",
      "both GB•• •••• •••• 5432 / •••• •••• •••• 1111",
      ["pii:card", "pii:iban"],
    ],
    ["mail jo.4111111111111111@example.com", "mail jo.•••• •••• •••• 1111@example.com", ["pii:card"]],
  ])("%j → %j", (text, masked, flags) => {
    expect(maskPersonalData(text)).toEqual({ text: masked, flags });
  });

  it("leaves e-mail addresses and phone numbers alone unless the protocol asks", () => {
    const text = "jo@example.com or +44 20 7946 0958";
    expect(maskPersonalData(text)).toEqual({ text, flags: [] });
    expect(maskPersonalData(text, ["email", "phone"])).toEqual({
      text: "•••@example.com or +•• •• •••• ••58",
      flags: ["pii:email", "pii:phone"],
    });
    expect(maskPersonalData(text, ["email"]).flags).toEqual(["pii:email"]);
  });

  it("leaves what findPersonalData still recognises, so a protocol's personal-data rule still flags the item", () => {
    const { text } = maskPersonalData("card 4111 1111 1111 1111, jo@example.com, +44 20 7946 0958", ["email", "phone"]);
    expect(findPersonalData(text)).toEqual(["email", "phone", "payment_card"]);
    expect(findPersonalData(maskPersonalData("only 4111-1111-1111-1111").text)).toEqual(["payment_card"]);
  });

  it("is idempotent: masked text masks to itself with no new flag", () => {
    const once = maskPersonalData("4111 1111 1111 1111, GB82WEST12345698765432, jo@example.com", ["email", "phone"]);
    expect(maskPersonalData(once.text, ["email", "phone"]).text).toBe(once.text);
  });
});

describe("isIbanValid", () => {
  it.each([
    ["GB82WEST12345698765432", true],
    ["DE89370400440532013000", true],
    ["NL91ABNA0417164300", true],
    ["GB82WEST12345698765433", false],
    ["GB82", false],
  ])("%s → %s", (iban, valid) => {
    expect(isIbanValid(iban)).toBe(valid);
  });
});

describe("containsCardNumber", () => {
  it("finds a card number however it is written, not other numbers", () => {
    expect(containsCardNumber("use 4111-1111-1111-1111")).toBe(true);
    expect(containsCardNumber("ticket 4111-1111-1111-1112")).toBe(false);
  });
});
