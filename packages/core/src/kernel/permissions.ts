import { AppError, isAllowed, type Policy } from "@parley/contracts";
import type { Scope } from "./scope";

/**
 * Refuses (FORBIDDEN, `role_not_allowed`) a caller whose role the policy does not admit (`permissions`), with
 * `message` when the refusal has more to say than the default.
 */
export function assertAllowed(
  scope: Pick<Scope, "role">,
  policy: Policy,
  message = "Your role does not allow this",
): void {
  if (!isAllowed(scope.role, policy)) {
    throw new AppError("FORBIDDEN", message, { reason: "role_not_allowed" });
  }
}
