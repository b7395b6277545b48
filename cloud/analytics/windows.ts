import type { KeyWindows, WindowResult } from './key-windows';
import { FixedWindows } from './fixed-windows';
import { SessionWindows } from './session-windows';
import { SlidingWindows } from './sliding-windows';
import type { WindowSpec } from './window-schema';

/** A window result with the key (e.g. device/sensor) it belongs to. */
export interface KeyedWindowResult extends WindowResult {
  key: string;
}

/** What one call emitted, and how many records arrived too late for a window and were dropped from it. */
export interface WindowEmission {
  windows: KeyedWindowResult[];
  late: number;
}

interface KeyState {
  windows: KeyWindows;
  maxTsMs: number;
}

/**
 * Windows over event time, one set per key. A key's watermark is max(its latest event time, the time `advance`
 * reached) − allowedLateness; a window emits once the watermark reaches its end. Keys have their own watermark so
 * one gateway's backlog does not make every other device's records late.
 */
export class WindowAggregator {
  readonly spec: WindowSpec;
  readonly #keys = new Map<string, KeyState>();
  readonly #latenessMs: number;
  #advancedMs = -Infinity;
  #order = 0;

  constructor(spec: WindowSpec) {
    this.spec = spec;
    this.#latenessMs = toMs(spec.allowedLatenessS);
  }

  /** The key's watermark, ms of event time; -Infinity before anything happened. */
  watermark(key: string): number {
    return Math.max(this.#keys.get(key)?.maxTsMs ?? -Infinity, this.#advancedMs) - this.#latenessMs;
  }

  add(key: string, tsMs: number, value: number): WindowEmission {
    const state = this.#state(key);
    const outcome = state.windows.add({ tsMs, value, order: this.#order++ }, this.watermark(key));
    state.maxTsMs = Math.max(state.maxTsMs, tsMs);
    const closed = state.windows.close(this.watermark(key));
    return { windows: [...outcome.updates, ...closed].map((w) => ({ key, ...w })), late: outcome.missed ? 1 : 0 };
  }

  /** Event time reached nowMs everywhere: closes the windows of keys that went quiet. */
  advance(nowMs: number): WindowEmission {
    this.#advancedMs = Math.max(this.#advancedMs, nowMs);
    const windows: KeyedWindowResult[] = [];
    for (const [key, state] of this.#keys) {
      for (const w of state.windows.close(this.watermark(key))) windows.push({ key, ...w });
    }
    return { windows, late: 0 };
  }

  #state(key: string): KeyState {
    let state = this.#keys.get(key);
    if (!state) {
      state = { windows: createKeyWindows(this.spec), maxTsMs: -Infinity };
      this.#keys.set(key, state);
    }
    return state;
  }
}

function createKeyWindows(spec: WindowSpec): KeyWindows {
  const update = spec.late === 'update';
  const lengthS = spec.type === 'session' ? spec.gapS : spec.sizeS;
  const options = { agg: spec.agg, update, retainMs: update ? toMs(spec.updateForS ?? lengthS) : 0 };
  switch (spec.type) {
    case 'tumbling':
      return new FixedWindows(toMs(spec.sizeS), toMs(spec.sizeS), options);
    case 'hopping':
      return new FixedWindows(toMs(spec.sizeS), toMs(spec.hopS), options);
    case 'sliding':
      return new SlidingWindows(toMs(spec.sizeS), options);
    case 'session':
      return new SessionWindows(toMs(spec.gapS), options);
  }
}

/** Seconds to whole milliseconds: 1.1 × 1000 is 1100.0000000000002 in floating point. */
function toMs(seconds: number): number {
  return Math.round(seconds * 1000);
}
