/**
 * The outbox of public actions: replies, hides and deletes are queued in the transaction that decided them and
 * carried out after commit by each API process's delivery worker, retried with backoff where a retry can help.
 */
export * from "./channel-incidents";
export * from "./deliver-due";
export * from "./deliver-due.unscoped";
export * from "./delivery-actions";
export * from "./delivery-states";
export * from "./queue-deliveries";
