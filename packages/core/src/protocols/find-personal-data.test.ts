import { describe, expect, it } from "vitest";
import { findPersonalData, isLuhnValid } from "./find-personal-data";

describe("isLuhnValid", () => {
  it.each([
    ["4111111111111111", true],
    ["4111111111111112", false],
    ["378282246310005", true],
    ["6011000990139424", true],
    ["4222222222222", true],
    ["1234567812345678", false],
    ["", false],
  ])("%s → %s", (digits, valid) => {
    expect(isLuhnValid(digits)).toBe(valid);
  });
});

describe("findPersonalData", () => {
  it.each([
    ["reach me: jo@example.com", ["email"]],
    ["+1 (555) 010-9999 after 6pm", ["phone"]],
    ["07700 900123", ["phone"]],
    ["0044.20.7946.0958", ["phone"]],
    ["12345678", []],
    ["+44 20 7946 0958 and 4111-1111-1111-1111", ["phone", "payment_card"]],
    ["4111 1111 1111 1111 12/27", ["payment_card"]],
    ["4111 1111 1111 1112", []],
    ["score 1 - 2 - 3 - 4 - 5", []],
    ["jo.9876543210@example.com", ["email"]],
    ["ticket #5551234567", []],
  ])("%j → %j", (text, kinds) => {
    expect(findPersonalData(text)).toEqual(kinds);
  });
});
