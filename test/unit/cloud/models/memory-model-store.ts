import type { ModelRecord, ModelStore } from '../../../../cloud/records';

/** An in-memory ModelStore with the port's contract (immutable versions, oldest first, lists without bytes). */
export class MemoryModelStore implements ModelStore {
  readonly #records = new Map<string, ModelRecord>();

  async putModel(record: ModelRecord): Promise<void> {
    if (this.#records.has(record.version)) throw new Error(`model ${record.version} is already stored; versions are immutable`);
    // Copies, as a database would: what the caller holds afterwards cannot change what is stored.
    this.#records.set(record.version, { ...record, bytes: Uint8Array.from(record.bytes) });
  }

  async getModel(version: string): Promise<ModelRecord | undefined> {
    const record = this.#records.get(version);
    return record && { ...record, bytes: Uint8Array.from(record.bytes) };
  }

  async listModels(): Promise<Omit<ModelRecord, 'bytes'>[]> {
    return [...this.#records.values()].map(({ bytes: _bytes, ...rest }) => rest);
  }

  /** Replaces a stored record behind the registry's back: a corrupted or tampered store. */
  tamper(version: string, change: (record: ModelRecord) => ModelRecord): void {
    const record = this.#records.get(version);
    if (!record) throw new Error(`no model ${version} to tamper with`);
    this.#records.set(version, change(record));
  }
}

/** A copy of `bytes` with one bit of the byte at `index` flipped. */
export function flipByte(bytes: Uint8Array, index = bytes.length >> 1): Uint8Array {
  const copy = Uint8Array.from(bytes);
  copy[index] = copy[index]! ^ 0x01;
  return copy;
}
