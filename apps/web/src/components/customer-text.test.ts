import { describe, expect, it } from "vitest";
import { customerTextForDisplay } from "./customer-text";

describe("customerTextForDisplay", () => {
  it.each([
    ["a right-to-left override", "your money is \u202Eefas\u202C", "your money is efas"],
    ["embeddings and isolates", "\u202Bمرحبا\u202C \u2067hi\u2069", "مرحبا hi"],
    ["marks", "\u200Fabc\u200E\u061C", "abc"],
  ])("takes out %s", (_, text, shown) => {
    expect(customerTextForDisplay(text)).toBe(shown);
  });

  it("keeps right-to-left letters and everything else", () => {
    expect(customerTextForDisplay("שלום, card •••• •••• •••• 1111")).toBe("שלום, card •••• •••• •••• 1111");
  });
});
