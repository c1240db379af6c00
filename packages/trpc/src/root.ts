import { channelsRouter } from "./routers/channels.router";
import { clientsRouter } from "./routers/clients.router";
import { meRouter } from "./routers/me.router";
import { membersRouter } from "./routers/members.router";
import { router } from "./trpc";

export const appRouter = router({
  me: meRouter,
  clients: clientsRouter,
  channels: channelsRouter,
  members: membersRouter,
});

export type AppRouter = typeof appRouter;
