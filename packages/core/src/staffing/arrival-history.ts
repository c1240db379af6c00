import { type Executor, uuidArray } from "@parley/db";
import { sql } from "drizzle-orm";
import type { Scope } from "../kernel/scope";
import { HOUR_MS, type HourlyCounts } from "./forecast";

/** Items received per client and UTC hour in `[from, to)`: client id → hour start (epoch ms) → count. */
export async function countHourlyArrivals(
  scope: Pick<Scope, "agencyId">,
  tx: Executor,
  input: { clientIds: readonly string[]; from: Date; to: Date },
): Promise<Map<string, HourlyCounts>> {
  const result = new Map<string, Map<number, number>>(input.clientIds.map((id) => [id, new Map()]));
  if (input.clientIds.length === 0) return result;
  const rows = await tx.execute<{ client_id: string; hour: number; items: number }>(sql`
    select client_id, floor(extract(epoch from received_at) / 3600)::int8::float8 as hour, count(*)::int as items
    from items
    where agency_id = ${scope.agencyId} and client_id = any(${uuidArray([...input.clientIds])})
      and received_at >= ${input.from.toISOString()}::timestamptz and received_at < ${input.to.toISOString()}::timestamptz
    group by 1, 2`);
  for (const row of rows) result.get(row.client_id)?.set(Number(row.hour) * HOUR_MS, row.items);
  return result;
}

/** Items received per client in `[from, to)`, counted as `countHourlyArrivals` counts them (clients with none: 0). */
export async function countArrivals(
  scope: Pick<Scope, "agencyId">,
  tx: Executor,
  input: { clientIds: readonly string[]; from: Date; to: Date },
): Promise<Map<string, number>> {
  const result = new Map<string, number>(input.clientIds.map((id) => [id, 0]));
  if (input.clientIds.length === 0) return result;
  const rows = await tx.execute<{ client_id: string; items: number }>(sql`
    select client_id, count(*)::int as items
    from items
    where agency_id = ${scope.agencyId} and client_id = any(${uuidArray([...input.clientIds])})
      and received_at >= ${input.from.toISOString()}::timestamptz and received_at < ${input.to.toISOString()}::timestamptz
    group by 1`);
  for (const row of rows) result.set(row.client_id, row.items);
  return result;
}

/** The first instant each client received an item (clients with none are absent). */
export async function firstArrivals(
  scope: Pick<Scope, "agencyId">,
  tx: Executor,
  input: { clientIds: readonly string[] },
): Promise<Map<string, number>> {
  if (input.clientIds.length === 0) return new Map();
  const rows = await tx.execute<{ client_id: string; first_at: string }>(sql`
    select c.id as client_id, (
      select min(i.received_at) from items i where i.agency_id = ${scope.agencyId} and i.client_id = c.id
    ) as first_at
    from clients c
    where c.agency_id = ${scope.agencyId} and c.id = any(${uuidArray([...input.clientIds])})`);
  return new Map(
    rows.flatMap((row) => (row.first_at === null ? [] : [[row.client_id, new Date(row.first_at).getTime()] as const])),
  );
}
