import { formatFieldPath } from '../../protocol';
import type { StateStore } from '../records';
import { RolloutError } from './errors';
import { RolloutIndexSchema, RolloutRecordSchema, type GatewayPhase, type RolloutRecord } from './rollout-state';

/** State key of the ids of rollouts a restarted controller reloads. */
export const ROLLOUT_INDEX_KEY = 'rollouts/active';
/** State key of one rollout's record. */
export const rolloutKey = (id: string): string => `rollout/${id}`;

/** Phases in which a gateway still waits for a reply or for windows. */
export const IN_FLIGHT: ReadonlySet<GatewayPhase> = new Set(['staging', 'activating', 'observing']);

/**
 * Rollout records in a StateStore, one key each, plus an index of those a restarted controller must reload. Ids in
 * the stored index that this process has not loaded yet are kept in it when it is rewritten.
 */
export class RolloutStore {
  readonly #state: StateStore;
  #savedIndex = '[]';
  /** Indexed ids this process does not hold; undefined until the index is read. */
  #unheld: string[] | undefined;

  constructor(state: StateStore) {
    this.#state = state;
  }

  /** The stored index; `held` are the ids this process already holds. */
  async readIndex(held: (id: string) => boolean): Promise<string[]> {
    const index = RolloutIndexSchema.safeParse((await this.#state.loadState(ROLLOUT_INDEX_KEY)) ?? []);
    if (!index.success) throw new RolloutError('E_ROLLOUT_STORE', `stored state ${ROLLOUT_INDEX_KEY} is not a list of rollout ids; repair or delete it`);
    this.#savedIndex = JSON.stringify(index.data);
    this.#unheld = index.data.filter((id) => !held(id));
    return index.data;
  }

  /** After a restore: every indexed rollout is now held. */
  allHeld(): void {
    this.#unheld = [];
  }

  async exists(id: string): Promise<boolean> {
    return ((await this.#state.loadState(rolloutKey(id))) ?? undefined) !== undefined;
  }

  async load(id: string): Promise<RolloutRecord> {
    const parsed = RolloutRecordSchema.safeParse(await this.#state.loadState(rolloutKey(id)));
    if (parsed.success) return parsed.data;
    const issue = parsed.error.issues[0]!;
    throw new RolloutError(
      'E_ROLLOUT_STORE',
      `stored state ${rolloutKey(id)} does not parse (${formatFieldPath(issue.path) || 'record'}: ${issue.message}); repair it or remove ${id} from ${ROLLOUT_INDEX_KEY}`,
    );
  }

  /** Saves one record, then the index (rewritten only when it changed) from every record this process holds. */
  async save(record: RolloutRecord, held: Iterable<RolloutRecord>): Promise<void> {
    await this.#state.saveState(rolloutKey(record.spec.id), record);
    const ids = [...held].map((r) => r.spec.id);
    if (this.#unheld === undefined) await this.readIndex((id) => ids.includes(id));
    const index = [...this.#unheld!, ...[...held].filter(reloadable).map((r) => r.spec.id)];
    const text = JSON.stringify(index);
    if (text === this.#savedIndex) return;
    await this.#state.saveState(ROLLOUT_INDEX_KEY, index);
    this.#savedIndex = text;
  }
}

/** Running or paused, or finished with gateways still in flight: what a restarted controller must pick up again. */
function reloadable(record: RolloutRecord): boolean {
  if (record.state === 'running' || record.state === 'paused') return true;
  return record.state === 'finished' && record.gateways.some((g) => IN_FLIGHT.has(g.phase) || g.commandId !== undefined);
}
