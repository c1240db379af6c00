import type { MeView } from "@parley/contracts";
import { useNavigate } from "@solidjs/router";
import { useQueryClient } from "@tanstack/solid-query";
import { type Accessor, createContext, createSignal, type JSX, useContext } from "solid-js";
import * as api from "./api";
import { toUiError, type UiError } from "./errors";
import { setUnauthenticatedHandler } from "./query";
import { homeFor } from "./roles";
import { trpc } from "./trpc";

export type Current = NonNullable<MeView["current"]>;

interface AuthContextValue {
  /** undefined while the session is being checked; null when signed out. */
  me: Accessor<MeView | null | undefined>;
  bootError: Accessor<UiError | null>;
  /** A message for the sign-in page (e.g. "your session has ended"). */
  notice: Accessor<string | null>;
  retry: () => Promise<void>;
  signedIn: (me: MeView) => void;
  signOut: () => Promise<void>;
  switchAgency: (agencyId: string) => Promise<void>;
}

const AuthContext = createContext<AuthContextValue>();

export function AuthProvider(props: { children: JSX.Element }): JSX.Element {
  const queryClient = useQueryClient();
  const navigate = useNavigate();
  const [me, setMe] = createSignal<MeView | null | undefined>(undefined);
  const [bootError, setBootError] = createSignal<UiError | null>(null);
  const [notice, setNotice] = createSignal<string | null>(null);

  const load = async () => {
    setBootError(null);
    try {
      setMe(await api.fetchMe());
    } catch (err) {
      setBootError(toUiError(err));
    }
  };
  void load();

  // Signed out, the signed-in pages send the user to /sign-in with the way back (routes.tsx `SignedIn`).
  setUnauthenticatedHandler(() => {
    if (!me()) return;
    setMe(null);
    queryClient.clear();
    setNotice("Your session has ended. Sign in again to continue.");
  });

  const value: AuthContextValue = {
    me,
    bootError,
    notice,
    retry: load,
    signedIn: (next) => {
      setNotice(null);
      queryClient.clear();
      setMe(next);
    },
    signOut: async () => {
      try {
        await api.signOut();
      } finally {
        queryClient.clear();
        setMe(null);
        setNotice(null);
        navigate("/sign-in", { replace: true });
      }
    },
    switchAgency: async (agencyId) => {
      const next = await trpc.me.switchAgency.mutate({ agencyId });
      // Cached rows are keyed by agency id; drop the other agencies' so nothing stale lingers.
      queryClient.removeQueries({ predicate: (query) => query.queryKey[0] !== next.current?.agencyId });
      setMe(next);
      navigate(next.current ? homeFor(next.current.role) : "/", { replace: true });
    },
  };

  return <AuthContext.Provider value={value}>{props.children}</AuthContext.Provider>;
}

export function useAuth(): AuthContextValue {
  const value = useContext(AuthContext);
  if (!value) throw new Error("useAuth outside <AuthProvider>");
  return value;
}

/**
 * For pages inside the signed-in shell, where an agency is always selected.
 * The accessors keep the last session while the shell is being torn down after sign-out.
 */
export function useSession() {
  const auth = useAuth();
  let lastMe: MeView | undefined;
  let lastCurrent: Current | undefined;
  const me = (): MeView => {
    const value = auth.me();
    if (value) lastMe = value;
    if (!lastMe) throw new Error("useSession without a session");
    return lastMe;
  };
  const current = (): Current => {
    const value = auth.me()?.current;
    if (value) lastCurrent = value;
    if (!lastCurrent) throw new Error("useSession without a current agency");
    return lastCurrent;
  };
  return {
    me,
    current,
    agencyId: () => current().agencyId,
    role: () => current().role,
    /** This user's membership in the current agency. */
    membershipId: () => me().memberships.find((m) => m.agencyId === current().agencyId)?.membershipId,
  };
}
