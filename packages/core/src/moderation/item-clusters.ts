import { AppError, type ItemClustersInput } from "@parley/contracts";
import { type Executor, schema } from "@parley/db";
import { and, desc, eq, inArray, isNull } from "drizzle-orm";
import type { Scope } from "../kernel/scope";
import { findNearDuplicates } from "../protocols/near-duplicates";

const { items, clients } = schema;

/** Open items read per client for clustering, newest first (a spike's incident is in its newest items). */
export const maxClusteredItemsPerClient = 20_000;
/** Examples shown on a cluster's row. */
const examplesPerCluster = 3;

export interface ItemClusterView {
  /** The cluster's first item: stable while that item stays open. */
  key: string;
  clientId: string;
  clientName: string;
  count: number;
  /** Every item of the cluster, oldest first (the console acts on them in bulk). */
  itemIds: string[];
  examples: {
    itemId: string;
    authorHandle: string;
    authorDisplayName: string | null;
    body: string;
    receivedAt: Date;
  }[];
}

export interface ItemClustersView {
  clusters: ItemClusterView[];
  /** Whether a client had more open items than were read (the oldest were left out). */
  truncated: boolean;
}

/**
 * Clusters of near-identical open items (queued or claimed, not the brand's own) per client in scope — one incident
 * shown as one row. Worked out at read time from the items' text (`findNearDuplicates`), so nothing on the ingest
 * path changes; a client's clusters never hold another client's items.
 */
export async function listItemClusters(
  scope: Scope,
  tx: Executor,
  input: ItemClustersInput = {},
): Promise<ItemClustersView> {
  const clientIds = input.clientId
    ? scope.clientIds && !scope.clientIds.includes(input.clientId)
      ? []
      : [input.clientId]
    : scope.clientIds;
  const visibleClients = await tx
    .select({ id: clients.id, name: clients.name })
    .from(clients)
    .where(and(eq(clients.agencyId, scope.agencyId), clientIds ? inArray(clients.id, [...clientIds]) : undefined));
  if (input.clientId && visibleClients.length === 0) {
    throw new AppError("NOT_FOUND", "Client not found", { reason: "client_not_found" });
  }
  const view: ItemClustersView = { clusters: [], truncated: false };
  for (const client of visibleClients) {
    const rows = await tx
      .select({
        id: items.id,
        title: items.title,
        body: items.body,
        authorHandle: items.authorHandle,
        authorDisplayName: items.authorDisplayName,
        receivedAt: items.receivedAt,
      })
      .from(items)
      .where(
        and(
          eq(items.agencyId, scope.agencyId),
          eq(items.clientId, client.id),
          inArray(items.status, ["queued", "claimed"]),
          eq(items.byBrand, false),
          isNull(items.removedAt),
        ),
      )
      .orderBy(desc(items.receivedAt), desc(items.id))
      .limit(maxClusteredItemsPerClient + 1);
    if (rows.length > maxClusteredItemsPerClient) {
      view.truncated = true;
      rows.pop();
    }
    rows.reverse();
    const byId = new Map(rows.map((row) => [row.id, row]));
    const clusters = findNearDuplicates(
      rows.map((row) => ({ id: row.id, text: row.title ? `${row.title}\n${row.body}` : row.body })),
    );
    for (const itemIds of clusters) {
      view.clusters.push({
        key: itemIds[0]!,
        clientId: client.id,
        clientName: client.name,
        count: itemIds.length,
        itemIds,
        examples: itemIds.slice(0, examplesPerCluster).map((itemId) => {
          const row = byId.get(itemId)!;
          return {
            itemId,
            authorHandle: row.authorHandle,
            authorDisplayName: row.authorDisplayName,
            body: row.body,
            receivedAt: row.receivedAt,
          };
        }),
      });
    }
  }
  view.clusters.sort((a, b) => b.count - a.count);
  return view;
}
