/**
 * An alert's id: its raise time and a 64-bit FNV-1a hash of who raised it. The same alert re-derived after a
 * restart gets the same id, so it upserts instead of duplicating. Origin is hashed too: the edge and the cloud may
 * run a rule of the same name on the same window, and those are two alerts.
 */
export function alertId(origin: string, rule: string, device: string, sensor: string | undefined, raisedMs: number): string {
  return `al-${raisedMs}-${fnv1a64([origin, rule, device, sensor ?? '', String(raisedMs)].join('\u0000'))}`;
}

const FNV_OFFSET = 0xcbf29ce484222325n;
const FNV_PRIME = 0x100000001b3n;
const MASK_64 = (1n << 64n) - 1n;

// FNV-1a over UTF-16 code units: platform-free (no node:crypto), and alerts are too rare for its speed to matter.
function fnv1a64(text: string): string {
  let hash = FNV_OFFSET;
  for (let i = 0; i < text.length; i++) hash = ((hash ^ BigInt(text.charCodeAt(i))) * FNV_PRIME) & MASK_64;
  return hash.toString(16).padStart(16, '0');
}
