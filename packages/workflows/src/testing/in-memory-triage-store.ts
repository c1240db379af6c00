import {
  advanceTriage,
  applyTriageActions,
  createTriageState,
  recordEscalationAcknowledged,
  recordEscalationAnswer,
  recordEscalationCancelled,
  type TriageAction,
  type TriageItem,
  type TriagePolicy,
  type TriageState,
  type TriageStore,
} from "@parley/core/escalations";
import type { AdvanceResult, FlowTarget } from "@parley/core/kernel";

export interface PerformedTriageAction {
  itemId: string;
  at: Date;
  action: TriageAction;
}

interface Entry {
  agencyId: string;
  policy: TriagePolicy;
  state: TriageState;
}

/**
 * FOR TESTS ONLY: a `TriageStore` over a Map, doing what the database-backed use case will do —
 * load the state (with the channel's last acknowledgement), decide with `advanceTriage`, perform
 * each action once by its key (the outbox), save with `applyTriageActions`.
 */
export class InMemoryTriageStore implements TriageStore {
  readonly performed: PerformedTriageAction[] = [];
  readonly advanceCalls: Array<{ itemId: string; at: Date }> = [];
  private readonly entries = new Map<string, Entry>();
  private readonly lastTemplateByChannel = new Map<string, string>();
  private readonly performedKeys = new Set<string>();

  addItem({ agencyId, item, policy }: { agencyId: string; item: TriageItem; policy: TriagePolicy }): void {
    this.entries.set(item.id, { agencyId, policy, state: createTriageState(item) });
  }

  async advance(target: FlowTarget, now: Date): Promise<AdvanceResult<TriageAction>> {
    this.advanceCalls.push({ itemId: target.itemId, at: now });
    const entry = this.getEntry(target);
    const loaded: TriageState = {
      ...entry.state,
      acknowledgement: {
        ...entry.state.acknowledgement,
        lastTemplateOnChannel: this.lastTemplateByChannel.get(entry.state.item.channelId) ?? null,
      },
    };
    const { actions, next } = advanceTriage(loaded, now, entry.policy);
    const fresh = actions.filter((action) => !this.performedKeys.has(action.key));
    for (const action of fresh) {
      this.performedKeys.add(action.key);
      this.performed.push({ itemId: target.itemId, at: now, action });
      if (action.type === "send_acknowledgement") {
        this.lastTemplateByChannel.set(entry.state.item.channelId, action.template);
      }
    }
    entry.state = applyTriageActions(loaded, actions, now);
    return { next, actions: fresh };
  }

  answerEscalation(itemId: string, answer: string | null, answeredAt: Date): void {
    const entry = this.mustGet(itemId);
    entry.state = recordEscalationAnswer(entry.state, { answer, answeredAt });
  }

  acknowledgeEscalation(itemId: string): void {
    const entry = this.mustGet(itemId);
    entry.state = recordEscalationAcknowledged(entry.state);
  }

  cancelEscalation(itemId: string): void {
    const entry = this.mustGet(itemId);
    entry.state = recordEscalationCancelled(entry.state);
  }

  getState(itemId: string): TriageState {
    return this.mustGet(itemId).state;
  }

  private getEntry(target: FlowTarget): Entry {
    const entry = this.mustGet(target.itemId);
    // Another agency's item does not exist, as under row-level security.
    if (entry.agencyId !== target.agencyId) throw new Error(`Item ${target.itemId} not found`);
    return entry;
  }

  private mustGet(itemId: string): Entry {
    const entry = this.entries.get(itemId);
    if (!entry) throw new Error(`Item ${itemId} not found`);
    return entry;
  }
}
