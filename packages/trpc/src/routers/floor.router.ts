import { getFloor } from "@parley/core/floor";
import { procedureFor, router } from "../trpc";

/** The shift lead's floor: agency leads (owners and admins). */
export const floorRouter = router({
  /** Every client's traffic, queue, spikes and SLA today, and who is on the floor; refreshed on its own cadence. */
  view: procedureFor("watchFloor").query(({ ctx }) => getFloor(ctx.scope, ctx.tx, ctx.services)),
});
