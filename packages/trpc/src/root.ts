import { channelsRouter } from "./routers/channels.router";
import { clientsRouter } from "./routers/clients.router";
import { contractsRouter } from "./routers/contracts.router";
import { meRouter } from "./routers/me.router";
import { membersRouter } from "./routers/members.router";
import { protocolsRouter } from "./routers/protocols.router";
import { router } from "./trpc";

export const appRouter = router({
  me: meRouter,
  clients: clientsRouter,
  channels: channelsRouter,
  members: membersRouter,
  protocols: protocolsRouter,
  contracts: contractsRouter,
});

export type AppRouter = typeof appRouter;
