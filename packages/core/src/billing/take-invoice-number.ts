/** Invoice numbers: `<PREFIX>-<year>-<0001>`, gapless per agency (see the rules in index.ts). */
import { AppError } from "@parley/contracts";
import { type Executor, schema } from "@parley/db";
import { sql } from "drizzle-orm";

const { invoiceNumberCounters } = schema;

/** Initials of the agency's first two words, or the first two letters of a one-word name. */
export function invoiceNumberPrefix(agencyName: string): string {
  const words = agencyName.toUpperCase().match(/[A-Z0-9]+/g) ?? ["INV"];
  const prefix = words.length > 1 ? `${words[0]?.[0]}${words[1]?.[0]}` : (words[0] ?? "INV").slice(0, 2);
  return prefix || "INV";
}

/** Takes the agency's next invoice number; the counter row stays locked until the transaction ends. */
export async function takeInvoiceNumber(tx: Executor, input: { agencyId: string; agencyName: string; year: string }) {
  const [counter] = await tx
    .insert(invoiceNumberCounters)
    .values({ agencyId: input.agencyId, nextNumber: 2 })
    .onConflictDoUpdate({
      target: invoiceNumberCounters.agencyId,
      set: { nextNumber: sql`${invoiceNumberCounters.nextNumber} + 1` },
    })
    .returning({ nextNumber: invoiceNumberCounters.nextNumber });
  if (!counter) throw new AppError("INTERNAL", "No invoice number was taken");
  const sequence = String(counter.nextNumber - 1).padStart(4, "0");
  return `${invoiceNumberPrefix(input.agencyName)}-${input.year}-${sequence}`;
}
