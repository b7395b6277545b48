import type { Channel, ChannelBlock } from './channel';
import type { Machine } from './machine';

export interface ReadBlock {
  channel: Channel;
  /** Index of the block's first sample since the start of the run. */
  firstSample: number;
  block: ChannelBlock;
}

/**
 * Reads every channel of a machine in lockstep, step by step, the way the fleet's scheduler does. Channels of one
 * machine share models with a bounded history (thermal network, rapier world), so none may run far ahead.
 * Times come from sample indices, (k·n)/rate, so they never accumulate rounding error.
 */
export class MachineReader {
  readonly machine: Machine;
  readonly #nextBlock = new Map<Channel, number>();

  constructor(machine: Machine) {
    this.machine = machine;
  }

  /** Every block (of every channel) that ends by `untilS` and was not read yet, channel by channel in time order. */
  blocksUntil(untilS: number): ReadBlock[] {
    const out: ReadBlock[] = [];
    for (const channel of this.machine.channels) {
      const { rateHz, blockSamples } = channel;
      let k = this.#nextBlock.get(channel) ?? 0;
      while ((k + 1) * blockSamples <= untilS * rateHz + 1e-6) {
        const firstSample = k * blockSamples;
        out.push({ channel, firstSample, block: channel.next(firstSample / rateHz) });
        k++;
      }
      this.#nextBlock.set(channel, k);
    }
    return out;
  }
}
