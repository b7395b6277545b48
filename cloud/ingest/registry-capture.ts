import type { RegistryEntry, RegistryStore, Shadow } from '../records';

/**
 * The device registry's store during a batch: while capturing, entries and shadows the batch's readings touched are
 * held (and read back from here) to be written in the batch's own transaction; otherwise they go straight through.
 * One transaction a batch, instead of two writes per device waiting their turn behind the readings. What is written
 * is held as given, not copied: the registry replaces its entries and shadows, never edits one it has saved.
 */
export class RegistryCapture implements RegistryStore {
  readonly #store: RegistryStore;
  #held: { entries: Map<string, RegistryEntry>; shadows: Map<string, Shadow> } | undefined;

  constructor(store: RegistryStore) {
    this.#store = store;
  }

  capture(): void {
    this.#held = { entries: new Map(), shadows: new Map() };
  }

  take(): { registry: RegistryEntry[]; shadows: Shadow[] } {
    const held = this.#held;
    this.#held = undefined;
    return { registry: [...(held?.entries.values() ?? [])], shadows: [...(held?.shadows.values() ?? [])] };
  }

  async upsertDevice(entry: RegistryEntry): Promise<void> {
    if (!this.#held) return this.#store.upsertDevice(entry);
    this.#held.entries.set(`${entry.kind}\u0000${entry.id}`, entry);
  }

  async registry(): Promise<RegistryEntry[]> {
    const stored = await this.#store.registry();
    if (!this.#held) return stored;
    const all = new Map(stored.map((e) => [`${e.kind}\u0000${e.id}`, e]));
    for (const [key, entry] of this.#held.entries) all.set(key, structuredClone(entry));
    return [...all.values()];
  }

  async loadShadow(device: string): Promise<Shadow | undefined> {
    const held = this.#held?.shadows.get(device);
    return held ? structuredClone(held) : this.#store.loadShadow(device);
  }

  async saveShadow(shadow: Shadow): Promise<void> {
    if (!this.#held) return this.#store.saveShadow(shadow);
    this.#held.shadows.set(shadow.device, shadow);
  }
}
