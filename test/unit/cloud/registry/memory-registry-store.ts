import type { RegistryEntry, RegistryStore, Shadow } from '../../../../cloud/records';

/** An in-memory RegistryStore that copies on the way in and out, as a database would; counts its writes. */
export class MemoryRegistryStore implements RegistryStore {
  readonly entries = new Map<string, RegistryEntry>();
  readonly shadows = new Map<string, Shadow>();
  writes = 0;

  async upsertDevice(entry: RegistryEntry): Promise<void> {
    this.writes++;
    this.entries.set(entry.id, structuredClone(entry));
  }

  async registry(): Promise<RegistryEntry[]> {
    return [...this.entries.values()].map((entry) => structuredClone(entry));
  }

  async loadShadow(device: string): Promise<Shadow | undefined> {
    const shadow = this.shadows.get(device);
    return shadow && structuredClone(shadow);
  }

  async saveShadow(shadow: Shadow): Promise<void> {
    this.writes++;
    this.shadows.set(shadow.device, structuredClone(shadow));
  }
}
