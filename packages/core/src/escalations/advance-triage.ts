import { AppError } from "@parley/contracts";
import { DONE, type Wakeup } from "../kernel/wakeup";
import { pickAcknowledgement } from "../protocols/check-reply";
import type { BusinessCalendar } from "../sla/business-calendar";
import { addBusinessMinutes } from "../sla/business-time";

/**
 * The triage flow (docs/ARCHITECTURE.md §3 Triage) as one pure decision: given the persisted state of an item's
 * triage at `now`, which actions to perform and when to look again. Pure: no I/O, no clock reads.
 *
 * Idempotent by construction: `advanceTriage` decides one action at a time against a working copy
 * to which each action is applied, so the state after `applyTriageActions` yields no action again.
 * Every action also carries a stable `key` for durable de-duplication (an outbox's unique key).
 *
 * Levels are numbered from 1 as people say them ("level 1" is `policy.levels[0]`); 0 is no level.
 */

export type TriageAuthority = "respond" | "triage";
export type EscalationStatus = "none" | "open" | "acknowledged" | "resolved" | "cancelled";
export type TriageCloseReason =
  | "not_needed"
  | "answered"
  | "resolved_without_answer"
  | "escalation_cancelled"
  | "no_escalation_levels";

export interface TriageItem {
  id: string;
  clientId: string;
  channelId: string;
  categoryKey: string | null;
  /** The moderator's authority for the item's category under the active protocol. */
  authority: TriageAuthority;
  /** A playbook trigger (category, keyword, risk flag, volume spike) matched the item. */
  playbookTriggered: boolean;
  receivedAt: Date;
}

export interface TriageState {
  item: TriageItem;
  acknowledgement: {
    sentAt: Date | null;
    /** The text posted for this item. */
    template: string | null;
    /** Handed to a moderator to post (not automatic, or no template would be fresh). */
    queuedAt: Date | null;
    /** The acknowledgement posted last on the item's channel (any item): never repeated in a row. */
    lastTemplateOnChannel: string | null;
  };
  escalation: {
    status: EscalationStatus;
    /** 1-based playbook level the escalation is at; 0 before escalating. */
    level: number;
    startedAt: Date | null;
    levelStartedAt: Date | null;
    /** Levels whose contacts were reminded when their respond-within ran out. */
    remindedLevels: number[];
    clientAnsweredAt: Date | null;
    answer: string | null;
  };
  followUp: {
    /** Public "still on it" updates to the customer while the escalation is open. */
    customerUpdatesSentAt: Date[];
    replyQueuedAt: Date | null;
    replySentAt: Date | null;
  };
  closed: boolean;
  closeReason: TriageCloseReason | null;
}

export interface EscalationLevelPolicy {
  /** Who is notified at this level (ids or addresses; the notifier resolves them). */
  contacts: string[];
  /** Business minutes, in `calendar`, the level has to answer before the next level is tried. */
  respondWithinMinutes: number;
  calendar: BusinessCalendar;
}

/** The parts of the client's playbook and protocol that drive triage. */
export interface TriagePolicy {
  /** Post the acknowledgement automatically; otherwise a moderator is asked to post it. */
  autoAcknowledge: boolean;
  acknowledgement: {
    targetMinutes: number;
    calendar: BusinessCalendar;
    templates: readonly string[];
  };
  levels: readonly EscalationLevelPolicy[];
  /** Business minutes (acknowledgement calendar) between customer updates while open; null for none. */
  customerUpdateCadenceMinutes: number | null;
  /** Post the client's answer automatically; otherwise a moderator is asked to post it. */
  autoSendFollowUp: boolean;
}

export type TriageAction =
  | { type: "send_acknowledgement"; key: string; template: string; dueAt: Date }
  | {
      type: "queue_acknowledgement_for_moderator";
      key: string;
      reason: "not_automatic" | "no_fresh_template";
      suggestedTemplate: string | null;
      dueAt: Date;
    }
  | { type: "escalate"; key: string; level: number; contacts: string[]; respondBy: Date }
  | {
      type: "remind_and_escalate";
      key: string;
      fromLevel: number;
      toLevel: number;
      remindContacts: string[];
      contacts: string[];
      respondBy: Date;
    }
  /** The last level ran out of time: remind its contacts (once); there is no one further to try. */
  | { type: "remind"; key: string; level: number; contacts: string[] }
  | { type: "send_customer_update"; key: string; sequence: number }
  | { type: "queue_follow_up_reply"; key: string; answer: string }
  | { type: "send_follow_up_reply"; key: string; answer: string }
  | { type: "close"; key: string; reason: TriageCloseReason };

export type TriageActionType = TriageAction["type"];

export interface TriageDecision {
  actions: TriageAction[];
  next: Wakeup;
}

/** How long an open escalation with nothing scheduled waits before looking again (safety net). */
export const TRIAGE_RECHECK_MINUTES = 24 * 60;
const MAX_ACTIONS_PER_DECISION = 16;

/** The state of an item's triage before anything happened. */
export function createTriageState(
  item: TriageItem,
  options: { lastTemplateOnChannel?: string | null } = {},
): TriageState {
  return {
    item,
    acknowledgement: {
      sentAt: null,
      template: null,
      queuedAt: null,
      lastTemplateOnChannel: options.lastTemplateOnChannel ?? null,
    },
    escalation: {
      status: "none",
      level: 0,
      startedAt: null,
      levelStartedAt: null,
      remindedLevels: [],
      clientAnsweredAt: null,
      answer: null,
    },
    followUp: { customerUpdatesSentAt: [], replyQueuedAt: null, replySentAt: null },
    closed: false,
    closeReason: null,
  };
}

export function advanceTriage(state: TriageState, now: Date, policy: TriagePolicy): TriageDecision {
  const actions: TriageAction[] = [];
  let working = state;
  for (let action = decideNextAction(working, now, policy); action; action = decideNextAction(working, now, policy)) {
    if (actions.length >= MAX_ACTIONS_PER_DECISION) {
      throw new AppError("INTERNAL", "Triage decision did not settle", { reason: "triage_not_settling" });
    }
    actions.push(action);
    working = applyTriageActions(working, [action], now);
  }
  return { actions, next: decideWakeup(working, now, policy) };
}

/** The state after `actions` were performed at `now`. Re-applying an action already applied changes nothing. */
export function applyTriageActions(state: TriageState, actions: readonly TriageAction[], now: Date): TriageState {
  let next = state;
  for (const action of actions) next = applyAction(next, action, now);
  return next;
}

/** The client answered (and resolved) the escalation, from the portal or an integration. */
export function recordEscalationAnswer(
  state: TriageState,
  { answer, answeredAt }: { answer: string | null; answeredAt: Date },
): TriageState {
  if (state.escalation.status === "resolved" || state.escalation.status === "cancelled") return state;
  return {
    ...state,
    escalation: { ...state.escalation, status: "resolved", clientAnsweredAt: answeredAt, answer },
  };
}

/** The level's contact took the escalation on: it stops moving up the levels, the customer still gets updates. */
export function recordEscalationAcknowledged(state: TriageState): TriageState {
  if (state.escalation.status !== "open") return state;
  return { ...state, escalation: { ...state.escalation, status: "acknowledged" } };
}

export function recordEscalationCancelled(state: TriageState): TriageState {
  if (state.escalation.status === "resolved" || state.escalation.status === "cancelled") return state;
  return { ...state, escalation: { ...state.escalation, status: "cancelled" } };
}

/** When the current level's respond-within runs out, or null when no level is running. */
export function getLevelDeadline(state: TriageState, policy: TriagePolicy): Date | null {
  const { level, levelStartedAt } = state.escalation;
  const levelPolicy = policy.levels[level - 1];
  if (!levelPolicy || !levelStartedAt) return null;
  return addBusinessMinutes(levelStartedAt, levelPolicy.respondWithinMinutes, levelPolicy.calendar);
}

/** When the next customer update is due while the escalation is open, or null when none is. */
export function getNextCustomerUpdateAt(state: TriageState, policy: TriagePolicy): Date | null {
  const cadence = policy.customerUpdateCadenceMinutes;
  if (!cadence || cadence <= 0 || !isEscalationRunning(state)) return null;
  const since =
    state.followUp.customerUpdatesSentAt.at(-1) ?? state.acknowledgement.sentAt ?? state.escalation.startedAt;
  if (!since) return null;
  return addBusinessMinutes(since, cadence, policy.acknowledgement.calendar);
}

function isEscalationRunning(state: TriageState): boolean {
  return state.escalation.status === "open" || state.escalation.status === "acknowledged";
}

function needsTriage(item: TriageItem): boolean {
  return item.authority === "triage" || item.playbookTriggered;
}

function decideNextAction(state: TriageState, now: Date, policy: TriagePolicy): TriageAction | null {
  if (state.closed) return null;
  const itemId = state.item.id;
  const close = (reason: TriageCloseReason): TriageAction => ({ type: "close", key: `${itemId}:close`, reason });

  if (!needsTriage(state.item)) return close("not_needed");
  if (state.escalation.status === "cancelled") return close("escalation_cancelled");

  // 1. Acknowledge on the public thread (even when the client answered first: the customer is owed it).
  const { acknowledgement } = state;
  if (!acknowledgement.sentAt && !acknowledgement.queuedAt) return decideAcknowledgement(state, policy);

  // 2. Escalate at once to level 1.
  if (state.escalation.status === "none") {
    const first = policy.levels[0];
    if (!first) return close("no_escalation_levels");
    return {
      type: "escalate",
      key: `${itemId}:escalate:1`,
      level: 1,
      contacts: [...first.contacts],
      respondBy: addBusinessMinutes(now, first.respondWithinMinutes, first.calendar),
    };
  }

  // 3. Follow up once answered, then close the loop.
  if (state.escalation.status === "resolved") {
    const answer = state.escalation.answer?.trim() ?? "";
    const { replyQueuedAt, replySentAt } = state.followUp;
    if (answer && !replyQueuedAt && !replySentAt) {
      return policy.autoSendFollowUp
        ? { type: "send_follow_up_reply", key: `${itemId}:follow-up`, answer }
        : { type: "queue_follow_up_reply", key: `${itemId}:follow-up`, answer };
    }
    return close(answer ? "answered" : "resolved_without_answer");
  }

  // 4. While open: remind and move up a level when the level's time runs out (once per level).
  const { level, remindedLevels } = state.escalation;
  if (state.escalation.status === "open" && !remindedLevels.includes(level)) {
    const deadline = getLevelDeadline(state, policy);
    const current = policy.levels[level - 1];
    if (deadline && current && now >= deadline) {
      const next = policy.levels[level];
      if (!next) return { type: "remind", key: `${itemId}:remind:${level}`, level, contacts: [...current.contacts] };
      return {
        type: "remind_and_escalate",
        key: `${itemId}:remind:${level}`,
        fromLevel: level,
        toLevel: level + 1,
        remindContacts: [...current.contacts],
        contacts: [...next.contacts],
        respondBy: addBusinessMinutes(now, next.respondWithinMinutes, next.calendar),
      };
    }
  }

  // 5. Keep the customer posted at the cadence (one update however late we are).
  const updateAt = getNextCustomerUpdateAt(state, policy);
  if (updateAt && now >= updateAt) {
    const sequence = state.followUp.customerUpdatesSentAt.length + 1;
    return { type: "send_customer_update", key: `${itemId}:update:${sequence}`, sequence };
  }
  return null;
}

function decideAcknowledgement(state: TriageState, policy: TriagePolicy): TriageAction {
  const itemId = state.item.id;
  const dueAt = addBusinessMinutes(
    state.item.receivedAt,
    policy.acknowledgement.targetMinutes,
    policy.acknowledgement.calendar,
  );
  let template: string | null = null;
  try {
    template = pickAcknowledgement({
      templates: policy.acknowledgement.templates,
      lastUsedOnChannel: state.acknowledgement.lastTemplateOnChannel,
    });
  } catch (error) {
    if (!(error instanceof AppError)) throw error;
  }
  if (policy.autoAcknowledge && template) {
    return { type: "send_acknowledgement", key: `${itemId}:acknowledgement`, template, dueAt };
  }
  return {
    type: "queue_acknowledgement_for_moderator",
    key: `${itemId}:acknowledgement`,
    reason: template ? "not_automatic" : "no_fresh_template",
    suggestedTemplate: template,
    dueAt,
  };
}

function decideWakeup(state: TriageState, now: Date, policy: TriagePolicy): Wakeup {
  if (state.closed || !isEscalationRunning(state)) return DONE;
  const candidates: Date[] = [];
  if (state.escalation.status === "open" && !state.escalation.remindedLevels.includes(state.escalation.level)) {
    const deadline = getLevelDeadline(state, policy);
    if (deadline) candidates.push(deadline);
  }
  const updateAt = getNextCustomerUpdateAt(state, policy);
  if (updateAt) candidates.push(updateAt);
  const timeoutAt =
    candidates.length > 0
      ? new Date(Math.min(...candidates.map((date) => date.getTime())))
      : new Date(now.getTime() + TRIAGE_RECHECK_MINUTES * 60_000);
  return { kind: "event", event: "escalations/escalation.resolved", timeoutAt };
}

function applyAction(state: TriageState, action: TriageAction, now: Date): TriageState {
  switch (action.type) {
    case "send_acknowledgement":
      if (state.acknowledgement.sentAt) return state;
      return {
        ...state,
        acknowledgement: {
          ...state.acknowledgement,
          sentAt: now,
          template: action.template,
          lastTemplateOnChannel: action.template,
        },
      };
    case "queue_acknowledgement_for_moderator":
      if (state.acknowledgement.sentAt || state.acknowledgement.queuedAt) return state;
      return { ...state, acknowledgement: { ...state.acknowledgement, queuedAt: now } };
    case "escalate":
      if (state.escalation.status !== "none") return state;
      return {
        ...state,
        escalation: { ...state.escalation, status: "open", level: action.level, startedAt: now, levelStartedAt: now },
      };
    case "remind_and_escalate":
      if (state.escalation.remindedLevels.includes(action.fromLevel)) return state;
      return {
        ...state,
        escalation: {
          ...state.escalation,
          level: action.toLevel,
          levelStartedAt: now,
          remindedLevels: [...state.escalation.remindedLevels, action.fromLevel],
        },
      };
    case "remind":
      if (state.escalation.remindedLevels.includes(action.level)) return state;
      return {
        ...state,
        escalation: { ...state.escalation, remindedLevels: [...state.escalation.remindedLevels, action.level] },
      };
    case "send_customer_update":
      if (state.followUp.customerUpdatesSentAt.length >= action.sequence) return state;
      return {
        ...state,
        followUp: { ...state.followUp, customerUpdatesSentAt: [...state.followUp.customerUpdatesSentAt, now] },
      };
    case "queue_follow_up_reply":
      if (state.followUp.replyQueuedAt || state.followUp.replySentAt) return state;
      return { ...state, followUp: { ...state.followUp, replyQueuedAt: now } };
    case "send_follow_up_reply":
      if (state.followUp.replySentAt) return state;
      return { ...state, followUp: { ...state.followUp, replySentAt: now } };
    case "close":
      if (state.closed) return state;
      return { ...state, closed: true, closeReason: action.reason };
  }
}
