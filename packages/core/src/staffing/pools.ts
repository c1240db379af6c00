/**
 * Moderator pools. Pure: no I/O.
 *
 * A pool is a set of clients and the moderators who work them, closed under "works": a moderator assigned to two
 * clients joins them in one pool, and so does every other moderator of either (the connected parts of the
 * moderator–client graph). Each client and each moderator belongs to exactly one pool, so no moderator's hours are
 * counted twice. Erlang C then treats the pool as one queue that any of its moderators can take from; where some
 * moderators work only part of the pool's clients that is optimistic, so each pool says how many of its moderators
 * can work every one of its clients (`crossSkilled`). A client nobody is assigned to is a pool of its own, with no
 * one to roster.
 */

export interface PoolAssignment {
  membershipId: string;
  clientId: string;
}

export interface StaffingPool {
  /** The pool's clients, sorted, joined by "+": stable while the pool keeps its clients. */
  key: string;
  clientIds: string[];
  membershipIds: string[];
  /** Moderators of the pool assigned to every one of its clients. */
  crossSkilled: number;
}

/** The pools of `clientIds` given who is assigned to which client (assignments to other clients are ignored). */
export function buildPools(input: {
  clientIds: readonly string[];
  assignments: readonly PoolAssignment[];
}): StaffingPool[] {
  const clients = new Set(input.clientIds);
  const assignments = input.assignments.filter((assignment) => clients.has(assignment.clientId));
  const parent = new Map<string, string>();
  const find = (node: string): string => {
    let root = node;
    while (parent.get(root) !== root) root = parent.get(root) ?? root;
    parent.set(node, root);
    return root;
  };
  const union = (a: string, b: string) => parent.set(find(a), find(b));
  for (const clientId of clients) parent.set(`c:${clientId}`, `c:${clientId}`);
  for (const { membershipId, clientId } of assignments) {
    if (!parent.has(`m:${membershipId}`)) parent.set(`m:${membershipId}`, `m:${membershipId}`);
    union(`m:${membershipId}`, `c:${clientId}`);
  }
  const groups = new Map<string, { clientIds: string[]; membershipIds: Set<string> }>();
  const groupOf = (node: string) => {
    const root = find(node);
    let group = groups.get(root);
    if (!group) {
      group = { clientIds: [], membershipIds: new Set() };
      groups.set(root, group);
    }
    return group;
  };
  for (const clientId of clients) groupOf(`c:${clientId}`).clientIds.push(clientId);
  for (const { membershipId } of assignments) groupOf(`m:${membershipId}`).membershipIds.add(membershipId);
  const clientsOf = new Map<string, Set<string>>();
  for (const { membershipId, clientId } of assignments) {
    clientsOf.set(membershipId, (clientsOf.get(membershipId) ?? new Set()).add(clientId));
  }
  return [...groups.values()]
    .map((group) => {
      const clientIds = [...group.clientIds].sort();
      const membershipIds = [...group.membershipIds].sort();
      return {
        key: clientIds.join("+"),
        clientIds,
        membershipIds,
        crossSkilled: membershipIds.filter((id) => clientIds.every((client) => clientsOf.get(id)?.has(client))).length,
      };
    })
    .sort((a, b) => b.clientIds.length - a.clientIds.length || a.key.localeCompare(b.key));
}
