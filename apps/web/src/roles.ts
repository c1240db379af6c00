import { type Authority, type Platform, permissions, type Role } from "@parley/contracts";

export const roleLabels: Record<Role, string> = {
  owner: "Owner",
  admin: "Admin",
  account_manager: "Account manager",
  moderator: "Moderator",
  client_stakeholder: "Client stakeholder",
};

export const authorityLabels: Record<Authority, string> = {
  respond: "Respond (carte blanche)",
  triage: "Triage (acknowledge and escalate)",
  view: "View only",
  approve: "Approve replies",
};

export const platformLabels: Record<Platform, string> = {
  facebook: "Facebook",
  instagram: "Instagram",
  x: "X",
  youtube: "YouTube",
  forum: "Forum",
  reviews: "Reviews",
  generic: "Generic (signed REST)",
  sandbox: "Sandbox (Parley's test platform)",
};

/** The app's top-level areas and who may enter them. */
export type Area = "console" | "floor" | "portal" | "accounts" | "staffing" | "reports" | "admin";

export const areas: ReadonlyArray<{ area: Area; label: string; path: string; roles: readonly Role[] }> = [
  { area: "console", label: "Console", path: "/console", roles: ["owner", "admin", "moderator"] },
  { area: "floor", label: "Floor", path: "/floor", roles: permissions.watchFloor },
  { area: "portal", label: "Portal", path: "/portal", roles: ["client_stakeholder"] },
  { area: "accounts", label: "Accounts", path: "/accounts", roles: ["owner", "admin", "account_manager"] },
  { area: "staffing", label: "Staffing", path: "/staffing", roles: ["owner", "admin", "account_manager"] },
  {
    area: "reports",
    label: "Reports",
    path: "/reports",
    roles: ["owner", "admin", "account_manager", "client_stakeholder"],
  },
  { area: "admin", label: "Admin", path: "/admin", roles: ["owner", "admin"] },
];

export function canEnter(role: Role, area: Area): boolean {
  return areas.some((entry) => entry.area === area && entry.roles.includes(role));
}

export function areasFor(role: Role) {
  return areas.filter((entry) => entry.roles.includes(role));
}

/** Where a role lands after signing in or switching agency. */
export function homeFor(role: Role): string {
  switch (role) {
    case "owner":
    case "admin":
      return "/admin/clients";
    case "account_manager":
      return "/accounts";
    case "moderator":
      return "/console";
    case "client_stakeholder":
      return "/portal";
  }
}

/** True when `path` is somewhere this role may go (used to honour `?next=` after sign-in). */
export function canVisit(role: Role, path: string): boolean {
  if (!path.startsWith("/") || path.startsWith("/sign-in") || path.startsWith("//")) return false;
  const area = areas.find(
    (entry) => path === entry.path || path.startsWith(`${entry.path}/`) || path.startsWith(`${entry.path}?`),
  );
  return area ? area.roles.includes(role) : path !== "/";
}

/** Roles whose access is limited to their assigned clients. */
export function isClientScoped(role: Role): boolean {
  return role === "account_manager" || role === "moderator" || role === "client_stakeholder";
}
