import type { Point } from './aggregate';
import type { Aggregate } from './window-schema';

/** One window's aggregate over [startMs, endMs) of event time (sliding windows: (startMs, endMs]). */
export interface WindowResult {
  startMs: number;
  endMs: number;
  value: number;
  /** Records in the window. */
  count: number;
  /** A correction of a window already emitted (or of one already behind the watermark), from a late record. */
  update: boolean;
}

/** What one record did to the windows of its key. */
export interface AddOutcome {
  /** Windows corrected by it now (late: update). */
  updates: WindowResult[];
  /** It arrived after at least one of its windows closed, and that window did not take it. */
  missed: boolean;
}

/** The windows of one key (device/sensor); the watermark is computed by the caller, which owns event time. */
export interface KeyWindows {
  /** Adds a point, judging lateness against the watermark before it arrived. */
  add(point: Point, watermarkMs: number): AddOutcome;
  /** Emits every window the watermark has reached, in end order, and forgets what can no longer change. */
  close(watermarkMs: number): WindowResult[];
}

export interface KeyWindowOptions {
  agg: Aggregate;
  /** Late records correct closed windows (true) or are dropped (false). */
  update: boolean;
  /** How long after it closes a window still takes corrections, ms of watermark; 0 when dropping. */
  retainMs: number;
}
