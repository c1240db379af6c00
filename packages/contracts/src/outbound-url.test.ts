import { describe, expect, it } from "vitest";
import {
  emptyOutboundAllowlist,
  findOutboundUrlProblem,
  isAllowlistedHost,
  isPublicAddress,
  parseIpAddress,
  parseOutboundAllowlist,
} from "./outbound-url";

describe("isPublicAddress", () => {
  it.each([
    ["127.0.0.1", false],
    ["10.1.2.3", false],
    ["172.31.255.255", false],
    ["192.168.0.10", false],
    ["169.254.169.254", false],
    ["100.100.100.200", false],
    ["100.64.0.1", false],
    ["0.0.0.0", false],
    ["224.0.0.251", false],
    ["255.255.255.255", false],
    ["::1", false],
    ["::", false],
    ["::ffff:127.0.0.1", false],
    ["::ffff:7f00:1", false],
    ["64:ff9b::a9fe:a9fe", false],
    ["fe80::1", false],
    ["fc00::1", false],
    ["fd00:ec2::254", false],
    ["ff02::1", false],
    ["2001:db8::1", false],
    ["2002:7f00:1::", false],
    ["8.8.8.8", true],
    ["93.184.216.34", true],
    ["172.32.0.1", true],
    ["2606:4700:4700::1111", true],
    ["::ffff:8.8.8.8", true],
  ])("%s → %s", (text, expected) => {
    const address = parseIpAddress(text);
    expect(address).not.toBeNull();
    expect(isPublicAddress(address!)).toBe(expected);
  });

  it("reads only addresses", () => {
    for (const text of ["localhost", "1.2.3", "1.2.3.256", "1::2::3", "gggg::1", ""]) {
      expect(parseIpAddress(text)).toBeNull();
    }
  });
});

describe("findOutboundUrlProblem", () => {
  it.each([
    ["not a url", /must be a URL/],
    ["http://hooks.example.com/x", /https/],
    ["ftp://hooks.example.com/x", /https/],
    ["https://user:pass@hooks.example.com/x", /user name or password/],
    ["https://127.0.0.1/x", /loopback, private/],
    ["https://169.254.169.254/latest/meta-data", /loopback, private/],
    ["https://[::1]:8443/x", /loopback, private/],
    ["https://2130706433/x", /loopback, private/],
    ["https://0x7f.1/x", /loopback, private/],
    ["https://localhost:3000/x", /loopback, private/],
    ["https://metadata.google.internal/x", /loopback, private/],
  ])("refuses %s", (url, problem) => {
    expect(findOutboundUrlProblem(url, emptyOutboundAllowlist)).toMatch(problem);
  });

  it("accepts a public https URL", () => {
    expect(findOutboundUrlProblem("https://hooks.example.com/parley?x=1", emptyOutboundAllowlist)).toBeNull();
  });

  it("lets the allowlist name hosts that may use plain http and private addresses", () => {
    const parsed = parseOutboundAllowlist("127.0.0.1, localhost,10.0.0.0/8,::1");
    expect(parsed.ok).toBe(true);
    const allowlist = parsed.ok ? parsed.allowlist : emptyOutboundAllowlist;
    expect(findOutboundUrlProblem("http://127.0.0.1:4010/callback", allowlist)).toBeNull();
    expect(findOutboundUrlProblem("http://localhost:4010/callback", allowlist)).toBeNull();
    expect(findOutboundUrlProblem("http://10.20.30.40/", allowlist)).toBeNull();
    expect(findOutboundUrlProblem("http://[::1]:9/", allowlist)).toBeNull();
    expect(findOutboundUrlProblem("http://169.254.169.254/", allowlist)).toMatch(/https/);
    expect(findOutboundUrlProblem("http://user:pw@127.0.0.1/", allowlist)).toMatch(/user name/);
    expect(isAllowlistedHost(allowlist, "LOCALHOST")).toBe(true);
    expect(parseOutboundAllowlist("10.0.0.0/33")).toEqual({
      ok: false,
      message: expect.stringMatching(/10.0.0.0\/33/),
    });
    expect(parseOutboundAllowlist("http://x")).toMatchObject({ ok: false });
  });
});
