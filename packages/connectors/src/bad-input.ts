import { type AppError, badInput, maxReportedIssues } from "@parley/contracts";

export interface InputIssue {
  path: ReadonlyArray<PropertyKey>;
  message: string;
}

/** BAD_INPUT naming each bad field (at most `maxReportedIssues`); `details.omittedIssues` counts the rest. */
export function reportBadInput(issues: readonly InputIssue[]): AppError {
  const error = badInput(issues.slice(0, maxReportedIssues));
  if (issues.length > maxReportedIssues) error.details.omittedIssues = issues.length - maxReportedIssues;
  return error;
}

/** The same issues, located under `prefix` (e.g. `["entry", 0, "changes", 2, "value"]`). */
export function prefixIssues({
  issues,
  prefix,
}: {
  issues: readonly InputIssue[];
  prefix: ReadonlyArray<PropertyKey>;
}): InputIssue[] {
  return issues.map((issue) => ({ path: [...prefix, ...issue.path], message: issue.message }));
}
