import { describe, expect, it } from "vitest";
import { legacyHref } from "./legacy-href";

const at = (href: string) => {
  const url = new URL(href, "http://parley.test");
  return { pathname: url.pathname, search: url.search, hash: url.hash };
};

describe("addresses of the earlier hash router", () => {
  it.each([
    ["/#/console?client=c1", "/console?client=c1"],
    ["/#/admin/channels?client=c1", "/admin/channels?client=c1"],
    ["/#/accounts/invoices/i1", "/accounts/invoices/i1"],
    ["/#/console?client=c1&item=i1", "/console/items/i1?client=c1"],
    ["/#/console?tab=approvals", "/console/approvals"],
    ["/console?item=i1&priority=P1", "/console/items/i1?priority=P1"],
    ["/#/", "/"],
    // Single-use links the API handed out before it built them as paths.
    ["/#/invitation/Tok_en-43", "/invitation/Tok_en-43"],
    ["/#/reset-password/Tok_en-43", "/reset-password/Tok_en-43"],
  ])("%s moves to %s", (from, to) => {
    expect(legacyHref(at(from))).toBe(to);
  });

  it.each([
    "/console?client=c1",
    "/console/items/i1?client=c1",
    "/admin/clients",
    "/",
    "/portal#main",
    "/invitation/Tok_en-43",
  ])("%s is current and stays", (href) => {
    expect(legacyHref(at(href))).toBeNull();
  });
});
