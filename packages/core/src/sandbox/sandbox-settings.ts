/**
 * How a sandbox channel behaves, from its credentials (`failureRate=0.2`, `failWith=unavailable|revoked`): pure, so
 * the sandbox endpoint, its tests and the admin screen read the same rules.
 */

/** How the sandbox refuses a delivery it decided to fail. */
export const sandboxFailureKinds = ["unavailable", "revoked"] as const;
export type SandboxFailureKind = (typeof sandboxFailureKinds)[number];

export interface SandboxSettings {
  /** The share of deliveries the sandbox refuses, 0 to 1. */
  failureRate: number;
  /** `unavailable`: 503, retried; `revoked`: 401, a permanent refusal (a revoked token). */
  failWith: SandboxFailureKind;
}

/** Reads the settings; a value that is not a number in 0–1 (or a kind the sandbox knows) falls back to the default. */
export function readSandboxSettings(credentials: Record<string, string>): SandboxSettings {
  const rate = Number(credentials.failureRate);
  const kind = credentials.failWith as SandboxFailureKind;
  return {
    failureRate: Number.isFinite(rate) && rate >= 0 && rate <= 1 ? rate : 0,
    failWith: sandboxFailureKinds.includes(kind) ? kind : "unavailable",
  };
}

/** Why a credential is not a sandbox setting (null when it is, or is not one of the sandbox's keys). */
export function findSandboxSettingProblem(key: string, value: string): string | null {
  if (key === "failureRate") {
    const rate = Number(value);
    return value.trim() !== "" && Number.isFinite(rate) && rate >= 0 && rate <= 1
      ? null
      : "must be a number from 0 to 1";
  }
  if (key === "failWith") {
    return (sandboxFailureKinds as readonly string[]).includes(value)
      ? null
      : `must be one of ${sandboxFailureKinds.join(", ")}`;
  }
  return null;
}

/** The refusal the sandbox answers a failed delivery with: the HTTP status and its message. */
export function sandboxRefusal(kind: SandboxFailureKind): { status: 401 | 503; message: string } {
  return kind === "revoked"
    ? { status: 401, message: "The sandbox refused the channel's token (failWith=revoked)" }
    : { status: 503, message: "The sandbox is unavailable (a simulated outage, failureRate)" };
}

/** Whether this delivery fails, given a uniform random number in [0, 1). */
export function sandboxFails(settings: SandboxSettings, random: number): boolean {
  return random < settings.failureRate;
}
