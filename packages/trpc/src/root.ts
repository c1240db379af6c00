import type { inferRouterInputs, inferRouterOutputs } from "@trpc/server";
import { agencyRouter } from "./routers/agency.router";
import { apiKeysRouter } from "./routers/api-keys.router";
import { channelsRouter } from "./routers/channels.router";
import { clientsRouter } from "./routers/clients.router";
import { contractsRouter } from "./routers/contracts.router";
import { deliveriesRouter } from "./routers/deliveries.router";
import { escalationsRouter } from "./routers/escalations.router";
import { floorRouter } from "./routers/floor.router";
import { invoicesRouter } from "./routers/invoices.router";
import { itemsRouter } from "./routers/items.router";
import { meRouter } from "./routers/me.router";
import { membersRouter } from "./routers/members.router";
import { playbooksRouter } from "./routers/playbooks.router";
import { protocolsRouter } from "./routers/protocols.router";
import { queueRouter } from "./routers/queue.router";
import { repliesRouter } from "./routers/replies.router";
import { reportsRouter } from "./routers/reports.router";
import { sandboxRouter } from "./routers/sandbox.router";
import { slaRouter } from "./routers/sla.router";
import { staffingRouter } from "./routers/staffing.router";
import { router } from "./trpc";

export const appRouter = router({
  apiKeys: apiKeysRouter,
  me: meRouter,
  agency: agencyRouter,
  clients: clientsRouter,
  channels: channelsRouter,
  members: membersRouter,
  protocols: protocolsRouter,
  contracts: contractsRouter,
  invoices: invoicesRouter,
  queue: queueRouter,
  items: itemsRouter,
  replies: repliesRouter,
  deliveries: deliveriesRouter,
  playbooks: playbooksRouter,
  escalations: escalationsRouter,
  sandbox: sandboxRouter,
  reports: reportsRouter,
  sla: slaRouter,
  staffing: staffingRouter,
  floor: floorRouter,
});

export type AppRouter = typeof appRouter;
/** What each procedure takes and answers, inferred: the web app types its calls with these, never a copy. */
export type RouterInputs = inferRouterInputs<AppRouter>;
export type RouterOutputs = inferRouterOutputs<AppRouter>;
