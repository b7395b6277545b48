import type { Shadow } from '../records';
import { deepEqual } from './deep-equal';

/** A shadow as clients read it: its stored sides plus `delta`, what the device has yet to reach. */
export interface ShadowView extends Shadow {
  /** Desired keys whose value differs (structurally) from the reported one; empty when the device is in step. */
  delta: Record<string, unknown>;
}

/** The shadow of a device nothing has been reported or desired for yet. */
export function emptyShadow(device: string): Shadow {
  return { device, reported: {}, desired: {}, reportedMs: 0, desiredMs: 0, version: 0 };
}

/** Adds the delta: compared key by key at the top level, a nested value counts as one. */
export function shadowView(shadow: Shadow): ShadowView {
  const delta: Record<string, unknown> = {};
  for (const [key, value] of Object.entries(shadow.desired)) {
    if (!deepEqual(value, shadow.reported[key])) delta[key] = value;
  }
  return { ...shadow, delta };
}
