import { useNavigate, useParams, useSearchParams } from "@solidjs/router";
import { useMutation, useQuery, useQueryClient } from "@tanstack/solid-query";
import { createMemo, createSignal, createUniqueId, For, Show } from "solid-js";
import { useSession } from "../../auth";
import { ClientSelect } from "../../components/client-select";
import { useClients } from "../../components/clients";
import { ConfirmDialog } from "../../components/dialog";
import { Card, Page, QueryStatusOf } from "../../components/page";
import { formatDateTime, plural } from "../../format";
import { trpc } from "../../trpc";
import { describeChange } from "./protocol-changes";
import { ProtocolDocumentView } from "./protocol-document-view";
import { ProtocolEditor } from "./protocol-editor";

/** Where the protocol pages live: Admin → Protocols for the agency, the portal's Protocol for the client. */
export type ProtocolArea = "admin" | "portal";
const basePath = (area: ProtocolArea) => (area === "admin" ? "/admin/protocols" : "/portal/protocol");
export const protocolVersionHref = (area: ProtocolArea, versionId: string) =>
  `${basePath(area)}/versions/${encodeURIComponent(versionId)}`;

const protocolKeys = {
  all: (agencyId: string) => [agencyId, "protocols"] as const,
  client: (agencyId: string, clientId: string) => [agencyId, "protocols", clientId] as const,
  version: (agencyId: string, versionId: string) => [agencyId, "protocols", "version", versionId] as const,
};

/** Agency owners and admins edit every client's protocol; a stakeholder the protocols of clients they administer. */
function useMayEdit() {
  const session = useSession();
  return (clientId: string) => {
    const role = session.role();
    if (role === "owner" || role === "admin") return true;
    return (
      role === "client_stakeholder" &&
      session.current().assignments.some((assignment) => assignment.clientId === clientId && assignment.clientAdmin)
    );
  };
}

/** The versions of a client's protocol, newest first, each linking to its own page. */
function VersionHistory(props: { area: ProtocolArea; clientId: string }) {
  const session = useSession();
  const versions = useQuery(() => ({
    queryKey: [...protocolKeys.client(session.agencyId(), props.clientId), "versions"],
    queryFn: () => trpc.protocols.versions.query({ clientId: props.clientId }),
  }));
  return (
    <>
      <QueryStatusOf query={versions} what="the protocol's history" />
      <Show when={versions.data}>
        {(rows) => (
          <div class="table-wrap">
            <table class="table" aria-label="Protocol versions">
              <thead>
                <tr>
                  <th scope="col">Version</th>
                  <th scope="col">By</th>
                  <th scope="col">Saved</th>
                  <th scope="col">Compare</th>
                </tr>
              </thead>
              <tbody>
                <For
                  each={rows()}
                  fallback={
                    <tr>
                      <td colSpan={4} class="muted">
                        No versions yet.
                      </td>
                    </tr>
                  }
                >
                  {(version, index) => (
                    <tr>
                      <td class="cell--primary">
                        <a href={protocolVersionHref(props.area, version.id)}>Version {version.version}</a>
                        <Show when={version.active}>
                          {" "}
                          <span class="badge badge--success">Active</span>
                        </Show>
                      </td>
                      <td>{version.authorName ?? "Parley (set-up)"}</td>
                      <td>{formatDateTime(version.createdAt)}</td>
                      <td>
                        <Show when={rows()[index() + 1]}>
                          {(previous) => (
                            <a
                              href={`${protocolVersionHref(props.area, version.id)}?compare=${previous().id}`}
                              aria-label={`Changes in version ${version.version}`}
                            >
                              Changes from v{previous().version}
                            </a>
                          )}
                        </Show>
                      </td>
                    </tr>
                  )}
                </For>
              </tbody>
            </table>
          </div>
        )}
      </Show>
    </>
  );
}

/**
 * A client's protocol: the editor for those who may change it (a new version on each save), the document for
 * everyone else, and its history. `/admin/protocols?client=` and `/portal/protocol?client=`.
 */
export function ProtocolPage(props: { area: ProtocolArea }) {
  const session = useSession();
  const queryClient = useQueryClient();
  const navigate = useNavigate();
  const mayEdit = useMayEdit();
  const filterId = createUniqueId();
  const clients = useClients();
  const [search, setSearch] = useSearchParams<{ client?: string }>();
  const clientId = createMemo(() => search.client || clients.data?.[0]?.id || "");
  const active = useQuery(() => ({
    queryKey: [...protocolKeys.client(session.agencyId(), clientId()), "active"],
    queryFn: () => trpc.protocols.active.query({ clientId: clientId() }),
    enabled: Boolean(clientId()),
  }));
  const editable = () => mayEdit(clientId());

  return (
    <Page
      title={props.area === "admin" ? "Protocols" : "Protocol"}
      lead="What may be said in the brand's name: categories and who may answer them, approved answers, forbidden phrases and moderation rules. Every save is a new version, live at once."
    >
      <Card
        title={active.data ? `Version ${active.data.version} (active)` : "Protocol"}
        actions={
          <Show when={(clients.data ?? []).length > 1}>
            <div class="filter">
              <label for={filterId} class="filter__label">
                Client
              </label>
              <ClientSelect
                id={filterId}
                clients={clients.data}
                value={clientId()}
                compact
                onChange={(id) => setSearch({ client: id }, { replace: true })}
              />
            </div>
          </Show>
        }
      >
        <QueryStatusOf query={active} what="the protocol" />
        <Show when={active.isSuccess}>
          <Show when={active.data}>
            {(protocol) => (
              <p class="muted">
                Saved by {protocol().authorName ?? "Parley (set-up)"} on {formatDateTime(protocol().createdAt)}.{" "}
                <a href={protocolVersionHref(props.area, protocol().id)}>This version's page</a>
              </p>
            )}
          </Show>
          <Show
            when={editable()}
            fallback={
              <Show when={active.data} fallback={<p class="empty">This client has no protocol yet.</p>}>
                {(protocol) => <ProtocolDocumentView document={protocol().document} />}
              </Show>
            }
          >
            <Show when={`${clientId()}:${active.data?.id ?? "none"}`} keyed>
              {(_key) => (
                <ProtocolEditor
                  clientId={clientId()}
                  active={active.data ?? null}
                  onSaved={(saved) => {
                    void queryClient.invalidateQueries({ queryKey: protocolKeys.all(session.agencyId()) });
                    navigate(protocolVersionHref(props.area, saved.id));
                  }}
                />
              )}
            </Show>
          </Show>
        </Show>
      </Card>
      <Show when={clientId()}>
        <Card title="History">
          <VersionHistory area={props.area} clientId={clientId()} />
        </Card>
      </Show>
    </Page>
  );
}

/** The changes between two versions, as sentences. */
function ChangeList(props: { fromVersionId: string; toVersionId: string }) {
  const session = useSession();
  const diff = useQuery(() => ({
    queryKey: [...protocolKeys.all(session.agencyId()), "diff", props.fromVersionId, props.toVersionId],
    queryFn: () => trpc.protocols.diff.query({ fromVersionId: props.fromVersionId, toVersionId: props.toVersionId }),
  }));
  const verbs = { added: "Added", removed: "Removed", changed: "Changed" } as const;
  return (
    <>
      <QueryStatusOf query={diff} what="the changes" />
      <Show when={diff.data}>
        {(data) => (
          <>
            <p class="muted">
              From version {data().from.version} to version {data().to.version}:{" "}
              {plural(data().changes.length, "change")}.
            </p>
            <ul class="protocol-diff" aria-label="Changes">
              <For each={data().changes.map(describeChange)} fallback={<li class="muted">The two say the same.</li>}>
                {(line) => (
                  <li class={`protocol-diff__line protocol-diff__line--${line.change}`}>
                    <span class="badge">{verbs[line.change]}</span> <strong>{line.what}</strong>
                    <Show when={line.before !== null && line.change !== "added"}>
                      <div class="protocol-diff__before">
                        <span class="sr-only">Before: </span>
                        <del>{line.before}</del>
                      </div>
                    </Show>
                    <Show when={line.after !== null && line.change !== "removed"}>
                      <div class="protocol-diff__after">
                        <span class="sr-only">After: </span>
                        <ins>{line.after}</ins>
                      </div>
                    </Show>
                  </li>
                )}
              </For>
            </ul>
          </>
        )}
      </Show>
    </>
  );
}

/**
 * One version of a protocol at its own address (`…/versions/:versionId?compare=<versionId>`): who saved it and when,
 * what changed against another version (the one before it unless `compare` says otherwise), its document, and a
 * rollback for those who may edit.
 */
export function ProtocolVersionPage(props: { area: ProtocolArea }) {
  const session = useSession();
  const queryClient = useQueryClient();
  const navigate = useNavigate();
  const mayEdit = useMayEdit();
  const params = useParams<{ versionId: string }>();
  const [search, setSearch] = useSearchParams<{ compare?: string }>();
  const compareId = createUniqueId();
  const [confirming, setConfirming] = createSignal(false);
  const version = useQuery(() => ({
    queryKey: protocolKeys.version(session.agencyId(), params.versionId),
    queryFn: () => trpc.protocols.version.query({ versionId: params.versionId }),
  }));
  const clientId = () => version.data?.clientId ?? "";
  const versions = useQuery(() => ({
    queryKey: [...protocolKeys.client(session.agencyId(), clientId()), "versions"],
    queryFn: () => trpc.protocols.versions.query({ clientId: clientId() }),
    enabled: Boolean(clientId()),
  }));
  const others = () => (versions.data ?? []).filter((other) => other.id !== params.versionId);
  const compareWith = () => {
    if (search.compare) return search.compare;
    const number = version.data?.version ?? 0;
    return others().find((other) => other.version < number)?.id ?? "";
  };
  const rollback = useMutation(() => ({
    mutationFn: () => trpc.protocols.rollback.mutate({ versionId: params.versionId }),
    onSuccess: (saved) => {
      void queryClient.invalidateQueries({ queryKey: protocolKeys.all(session.agencyId()) });
      navigate(protocolVersionHref(props.area, saved.id));
    },
  }));

  return (
    <Page
      title={version.data ? `Protocol version ${version.data.version}` : "Protocol version"}
      lead={
        version.data
          ? `Saved by ${version.data.authorName ?? "Parley (set-up)"} on ${formatDateTime(version.data.createdAt)}.`
          : undefined
      }
      actions={
        <a class="button" href={`${basePath(props.area)}${clientId() ? `?client=${clientId()}` : ""}`}>
          {props.area === "admin" ? "All versions" : "The protocol"}
        </a>
      }
    >
      <QueryStatusOf query={version} what="this protocol version" />
      <Show when={version.data}>
        {(data) => (
          <>
            <Card
              title="What changed"
              actions={
                <Show when={others().length > 0}>
                  <div class="filter">
                    <label for={compareId} class="filter__label">
                      Compared with
                    </label>
                    <select
                      id={compareId}
                      class="input select select--compact"
                      onChange={(e) => setSearch({ compare: e.currentTarget.value }, { replace: true })}
                    >
                      <For each={others()}>
                        {(other) => (
                          <option value={other.id} selected={other.id === compareWith()}>
                            Version {other.version}
                            {other.active ? " (active)" : ""}
                          </option>
                        )}
                      </For>
                    </select>
                  </div>
                </Show>
              }
            >
              <Show when={compareWith()} fallback={<p class="muted">The first version: nothing to compare with.</p>}>
                {(otherId) => {
                  const other = () => others().find((candidate) => candidate.id === otherId());
                  const older = () => (other()?.version ?? 0) < data().version;
                  return (
                    <ChangeList
                      fromVersionId={older() ? otherId() : data().id}
                      toVersionId={older() ? data().id : otherId()}
                    />
                  );
                }}
              </Show>
            </Card>
            <Card
              title={data().active ? "This version (active)" : "This version"}
              actions={
                <Show when={mayEdit(data().clientId) && !data().active}>
                  <button type="button" class="button" onClick={() => setConfirming(true)}>
                    Roll back to version {data().version}
                  </button>
                </Show>
              }
            >
              <ProtocolDocumentView document={data().document} />
            </Card>
            <Show when={confirming()}>
              <ConfirmDialog
                title={`Roll back to version ${data().version}?`}
                description={`Its text becomes a new version, live at once; the history keeps every version. ${
                  session.role() === "client_stakeholder" ? "The agency is told." : "The client is told."
                }`}
                confirmLabel="Roll back"
                onConfirm={() => rollback.mutateAsync()}
                onClose={() => setConfirming(false)}
              />
            </Show>
          </>
        )}
      </Show>
    </Page>
  );
}
