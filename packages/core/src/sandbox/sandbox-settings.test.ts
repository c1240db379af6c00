import { describe, expect, it } from "vitest";
import { findSandboxSettingProblem, readSandboxSettings, sandboxFails, sandboxRefusal } from "./sandbox-settings";

describe("sandbox settings", () => {
  it.each([
    [{}, { failureRate: 0, failWith: "unavailable" }],
    [{ failureRate: "0.25" }, { failureRate: 0.25, failWith: "unavailable" }],
    [
      { failureRate: "1", failWith: "revoked" },
      { failureRate: 1, failWith: "revoked" },
    ],
    [
      { failureRate: "2", failWith: "nonsense" },
      { failureRate: 0, failWith: "unavailable" },
    ],
    [{ failureRate: "abc" }, { failureRate: 0, failWith: "unavailable" }],
  ])("reads %j as %j", (credentials, expected) => {
    expect(readSandboxSettings(credentials)).toEqual(expected);
  });

  it.each([
    ["failureRate", "0.5", null],
    ["failureRate", "1.5", "must be a number from 0 to 1"],
    ["failureRate", "", "must be a number from 0 to 1"],
    ["failWith", "revoked", null],
    ["failWith", "timeout", "must be one of unavailable, revoked"],
    ["anythingElse", "x", null],
  ])("checks %s=%s", (key, value, problem) => {
    expect(findSandboxSettingProblem(key, value)).toBe(problem);
  });

  it("fails the share of deliveries the rate names", () => {
    const settings = { failureRate: 0.3, failWith: "unavailable" as const };
    expect(sandboxFails(settings, 0.29)).toBe(true);
    expect(sandboxFails(settings, 0.3)).toBe(false);
    expect(sandboxFails({ ...settings, failureRate: 0 }, 0)).toBe(false);
    expect(sandboxFails({ ...settings, failureRate: 1 }, 0.9999)).toBe(true);
  });

  it("refuses a revoked token permanently and an outage as worth retrying", () => {
    expect(sandboxRefusal("revoked").status).toBe(401);
    expect(sandboxRefusal("unavailable").status).toBe(503);
  });
});
