import type { FeaturesV1 } from '../../protocol';
import type { ClosedWindow, HeldBlock } from './block-windows';
import { Deadband, type DeadbandReason } from './deadband';
import { HeldSpan } from './held-span';
import type { DeadbandConfig } from './pipeline-config';
import type { PipelineOutput } from './sensor-pipeline';

export interface UplinkPolicyOptions {
  /** Report by exception on one feature. Default: none (every window is news). */
  deadband?: DeadbandConfig | undefined;
  /**
   * Bytes a record takes on the wire, at most. With it the stream never spends more on records than its readings
   * brought in (`earn`); without it bytes are not counted. Default: not counted.
   */
  recordBytes?: ((record: FeaturesV1) => number) | undefined;
  /** The features record of whole blocks, oldest first (the pipeline's own analysis). */
  summarise: (blocks: readonly HeldBlock[]) => FeaturesV1;
}

/**
 * Which windows of one stream go up, and when: every window, or under report by exception only the news (see
 * Deadband), and with `recordBytes` never more record bytes than the stream's payloads brought in. A window that does
 * not go up is held, never dropped: the held windows go up as one record of their own just before the next window
 * that is news, or merged with it on a heartbeat (or when the bytes earned cannot pay for two records), so every
 * block the gateway acknowledged is in exactly one record. Deterministic: event time and byte counts only.
 */
export class UplinkPolicy {
  readonly #deadband: Deadband | undefined;
  readonly #feature: DeadbandConfig['feature'] | undefined;
  readonly #recordBytes: ((record: FeaturesV1) => number) | undefined;
  readonly #summarise: (blocks: readonly HeldBlock[]) => FeaturesV1;
  readonly #held = new HeldSpan();
  /** Payload bytes earned and not yet spent on records (negative only after a drain). */
  #creditBytes = 0;

  constructor(options: UplinkPolicyOptions) {
    const { deadband } = options;
    this.#deadband = deadband ? new Deadband(deadband.delta, deadband.maxIntervalS * 1000) : undefined;
    this.#feature = deadband?.feature;
    this.#recordBytes = options.recordBytes;
    this.#summarise = options.summarise;
  }

  /** Payload bytes earned and not yet spent. */
  get creditBytes(): number {
    return this.#creditBytes;
  }

  /** A block of `bytes` payload bytes joined the stream. */
  earn(bytes: number): void {
    this.#creditBytes += bytes;
  }

  /** The window `message` (the features of `window`) closed: what goes up now. */
  decide(window: ClosedWindow, message: FeaturesV1): PipelineOutput {
    const blockSeqs = window.blocks.map((b) => b.seq);
    const reason = this.#reason(message);
    if (reason === undefined) return this.#hold(window, message, blockSeqs);
    if (this.#held.empty) {
      if (!this.#affords(this.#bytes(message))) return this.#hold(window, message, blockSeqs);
      this.#sent(this.#bytes(message), message);
      return { kind: 'features', message, blockSeqs, releaseSeqs: window.releaseSeqs };
    }
    // News after a quiet spell: the held windows go up first as a record of their own, so the news is not averaged away.
    if (reason !== 'heartbeat') {
      const span = this.#summarise(this.#held.blocks);
      const bytes = this.#bytes(span) + this.#bytes(message);
      if (this.#affords(bytes)) {
        const held = this.#held.take();
        this.#sent(bytes, message);
        return { kind: 'report', message, uplink: [span, message], blockSeqs, releaseSeqs: [...held.releaseSeqs, ...window.releaseSeqs] };
      }
    }
    const merged = this.#summarise([...this.#held.blocks, ...window.blocks]);
    const bytes = this.#bytes(merged);
    if (!this.#affords(bytes)) return this.#hold(window, message, blockSeqs);
    const held = this.#held.take();
    this.#sent(bytes, merged);
    return { kind: 'report', message, uplink: [merged], blockSeqs, releaseSeqs: [...held.releaseSeqs, ...window.releaseSeqs] };
  }

  /**
   * The held windows as one record, whatever it costs (a drain: shutdown, the end of a run, a change of unit or rate,
   * a device restart): a reading is never lost to save bytes. Undefined when nothing is held.
   */
  drain(): PipelineOutput | undefined {
    if (this.#held.empty) return undefined;
    const { blocks, releaseSeqs } = this.#held.take();
    const record = this.#summarise(blocks);
    this.#sent(this.#bytes(record), record);
    return { kind: 'span', uplink: [record], blockSeqs: blocks.map((b) => b.seq), releaseSeqs };
  }

  /** The next window is news whatever it is. */
  reset(): void {
    this.#deadband?.reset();
  }

  #reason(message: FeaturesV1): DeadbandReason | undefined {
    if (!this.#deadband) return 'moved';
    const endMs = message.tsMs + message.windowMs;
    return this.#deadband.due(message.features[this.#feature!]!, this.#held.startMs ?? message.tsMs, endMs);
  }

  #hold(window: ClosedWindow, message: FeaturesV1, blockSeqs: number[]): PipelineOutput {
    this.#held.hold(window);
    return { kind: 'held', message, blockSeqs, releaseSeqs: [] };
  }

  #bytes(record: FeaturesV1): number {
    return this.#recordBytes ? this.#recordBytes(record) : 0;
  }

  #affords(bytes: number): boolean {
    return !this.#recordBytes || bytes <= this.#creditBytes;
  }

  #sent(bytes: number, last: FeaturesV1): void {
    this.#creditBytes -= bytes;
    if (this.#feature !== undefined) this.#deadband!.reported(last.features[this.#feature]!);
  }
}
