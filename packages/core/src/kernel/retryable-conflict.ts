/**
 * PostgreSQL's deadlock (40P01) and serialization (40001) failures: the transaction was rolled back as a whole, so
 * running an idempotent transaction again is safe. Drizzle wraps the driver's error: its code is in `cause`.
 */
export function isRetryableConflict(error: unknown): boolean {
  const code = (error as { cause?: { code?: string } }).cause?.code ?? (error as { code?: string }).code;
  return code === "40P01" || code === "40001";
}
