import {
  getPlaybookOptions,
  listPlaybooks,
  playbookListInput,
  playbookSaveInput,
  savePlaybook,
} from "@parley/core/escalations";
import { agencyProcedure, procedureFor, router } from "../trpc";

export const playbooksRouter = router({
  /** The client's escalation playbooks: staff who see the client, and its stakeholders (portal, read only). */
  list: agencyProcedure.input(playbookListInput).query(({ ctx, input }) => listPlaybooks(ctx.scope, ctx.tx, input)),
  /** What a playbook of the client can name: its protocol's categories and its portal users (the pickers). */
  options: procedureFor("administer")
    .input(playbookListInput)
    .query(({ ctx, input }) => getPlaybookOptions(ctx.scope, ctx.tx, input)),
  /** Creates (no `playbookId`) or replaces a playbook; the document is checked and named under `document.`. */
  save: procedureFor("administer")
    .input(playbookSaveInput)
    .mutation(({ ctx, input }) => savePlaybook(ctx.scope, ctx.tx, input, ctx.services)),
});
