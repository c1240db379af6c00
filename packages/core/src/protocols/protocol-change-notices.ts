import { type Executor, schema } from "@parley/db";
import { and, eq } from "drizzle-orm";
import { findAgencyLeads, findPortalUsers } from "../agencies/client-people";
import type { Scope } from "../kernel/scope";

const { clients, users, notifications } = schema;

/**
 * Tells the other side of a protocol change, in-app: a client admin's version reaches the agency's owners and
 * admins (who run the agency's work under it); an agency member's version reaches the client's stakeholders. The
 * author is never told of their own change. The notice's subject is the version, so it links to that version.
 */
export async function notifyProtocolChange(
  tx: Executor,
  scope: Scope,
  input: {
    clientId: string;
    versionId: string;
    version: number;
    /** How many fields changed from the previous active version. */
    changeCount: number;
    /** The version a rollback restored, or null. */
    restoredVersion: number | null;
    at: Date;
  },
): Promise<void> {
  const [client] = await tx
    .select({ name: clients.name })
    .from(clients)
    .where(and(eq(clients.id, input.clientId), eq(clients.agencyId, scope.agencyId)));
  const [author] = await tx.select({ name: users.name }).from(users).where(eq(users.id, scope.actorId));
  const byClient = scope.role === "client_stakeholder";
  const people = byClient
    ? await findAgencyLeads(tx, { agencyId: scope.agencyId })
    : await findPortalUsers(tx, { agencyId: scope.agencyId, clientId: input.clientId });
  const recipients = people.filter((person) => person.userId !== scope.actorId);
  if (recipients.length === 0) return;
  const who = `${author?.name ?? "Someone"}${byClient ? " (client admin)" : ""}`;
  const what =
    input.restoredVersion !== null
      ? `rolled the protocol back to version ${input.restoredVersion}`
      : `changed ${input.changeCount} ${input.changeCount === 1 ? "thing" : "things"} in the protocol`;
  const title = `${client?.name ?? "A client"}'s protocol is now version ${input.version}`;
  const body = byClient
    ? `${who} ${what}. It is live: moderators work under it from now on. Open the version to see what changed, or roll it back.`
    : `${who} at the agency ${what}. It is live: replies are checked against it from now on. Open the version to see what changed.`;
  await tx.insert(notifications).values(
    recipients.map((person) => ({
      agencyId: scope.agencyId,
      clientId: input.clientId,
      recipientUserId: person.userId,
      kind: "protocol.version_created",
      subjectType: "protocol_version",
      subjectId: input.versionId,
      title,
      body,
      createdAt: input.at,
    })),
  );
}
