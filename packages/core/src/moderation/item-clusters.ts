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

/** One client's clusters, and whether it had more open items than were read (the oldest were left out). */
interface ClientClusters {
  clusters: ItemClusterView[];
  truncated: boolean;
}

type ClusteredClient = { id: string; name: string };

/**
 * A client's clusters as `listItemClusters` gets them: `fresh` asks for a reading made now. The one used in the API
 * is shared by every console of the process (`createSharedClusters`); without it, each call works them out.
 */
export type ClientClustersSource = (
  tx: Executor,
  agencyId: string,
  client: ClusteredClient,
  options: { fresh: boolean },
) => Promise<ClientClusters>;

/**
 * Clusters of near-identical open items (queued or claimed, not the brand's own) per client in scope — one incident
 * shown as one row. Worked out at read time from the items' text (`findNearDuplicates`), so nothing on the ingest
 * path changes; a client's clusters never hold another client's items.
 */
export async function listItemClusters(
  scope: Scope,
  tx: Executor,
  input: ItemClustersInput = {},
  source: ClientClustersSource = readClientClusters,
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
    const read = await source(tx, scope.agencyId, client, { fresh: input.fresh ?? false });
    view.clusters.push(...read.clusters);
    view.truncated ||= read.truncated;
  }
  view.clusters.sort((a, b) => b.count - a.count);
  return view;
}

/** Works out one client's clusters from its newest open items. */
async function readClientClusters(tx: Executor, agencyId: string, client: ClusteredClient): Promise<ClientClusters> {
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
        eq(items.agencyId, agencyId),
        eq(items.clientId, client.id),
        inArray(items.status, ["queued", "claimed"]),
        eq(items.byBrand, false),
        isNull(items.removedAt),
      ),
    )
    .orderBy(desc(items.receivedAt), desc(items.id))
    .limit(maxClusteredItemsPerClient + 1);
  const truncated = rows.length > maxClusteredItemsPerClient;
  if (truncated) rows.pop();
  rows.reverse();
  const byId = new Map(rows.map((row) => [row.id, row]));
  const groups = findNearDuplicates(
    rows.map((row) => ({ id: row.id, text: row.title ? `${row.title}\n${row.body}` : row.body })),
  );
  const clusters = groups.map((itemIds) => ({
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
  }));
  return { clusters, truncated };
}

/** How long a client's clusters are shared: under the console's 15-s refresh, so each refresh sees a newer one. */
const sharedClustersMaxAgeMs = 10_000;

/**
 * Clusters shared by every console of an API process: a client's are worked out at most once per
 * `sharedClustersMaxAgeMs` (reading up to 20,000 items and hashing their text is tens of milliseconds of both
 * PostgreSQL and Node, and every open console asked for every client it works every 15 s, so during a spike fifty
 * consoles spent most of a core on the same answer). A call asking while a reading is under way shares it. A
 * caller only asks for clients its own scope sees, and a client's clusters are the same for everyone who sees it.
 * A `fresh` call works them out again and shares its reading from then on; a reading that failed is not shared.
 */
export function createSharedClusters(deps: { now?: () => number } = {}): ClientClustersSource {
  const now = deps.now ?? (() => performance.now());
  const readings = new Map<string, { at: number; clusters: Promise<ClientClusters> }>();
  return async (tx, agencyId, client, { fresh }) => {
    const key = `${agencyId}/${client.id}`;
    const shared = readings.get(key);
    if (!fresh && shared && now() - shared.at < sharedClustersMaxAgeMs) {
      try {
        return await shared.clusters;
      } catch {
        // Failed in the transaction of the call that started it: worked out again in this one.
      }
    }
    const clusters = readClientClusters(tx, agencyId, client);
    const reading = { at: now(), clusters };
    readings.set(key, reading);
    clusters.catch(() => {
      if (readings.get(key) === reading) readings.delete(key);
    });
    return clusters;
  };
}
