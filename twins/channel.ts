// The contract between physics, sensors and the runtime. Platform-free.
import type { TelemetryV1 } from '../protocol';

/**
 * A physical quantity (the measurand) as a function of run time: what an ideal sensor would read.
 * Channels ask for contiguous blocks in time order; implementations may keep state between calls.
 */
export interface Measurand {
  /** Unit of the physical quantity, e.g. `g`, `degC`, `rad/s`, `%RH`. */
  readonly unit: string;
  /** Fills `out[i]` with the value at t = startS + i / rateHz (seconds since the start of the run). */
  fill(out: Float64Array, startS: number, rateHz: number): void;
}

/** One block as a sensor reports it. */
export interface ChannelBlock {
  /** Reported values, in the channel's unit. */
  values: Float32Array;
  /** What the sensor adds to the true block start in its timestamp (timestamp skew, clock offset), ms. */
  tsOffsetMs: number;
  /** The sensor delivered nothing for this block (a dropout): publish nothing, keep the seq for the next one. */
  dropped: boolean;
}

/** One sensor's output: fixed-rate blocks in simulated time, ready to publish. */
export interface Channel {
  /** Sensor name, a topic level (`accel`, `winding-temp`, `imu-az`). */
  readonly sensor: string;
  /** Unit of the reported values. */
  readonly unit: string;
  /** Output sample rate, Hz. */
  readonly rateHz: number;
  /** Samples per published block. */
  readonly blockSamples: number;
  /** MQTT QoS the device publishes it at: 1 (at least once, the default) or 0 (best effort, lost on a bad link). */
  readonly qos?: 0 | 1;
  /** The block that starts at `startS`; called with contiguous blocks in time order. */
  next(startS: number): ChannelBlock;
}

/** Block duration in seconds. */
export function blockSeconds(channel: Pick<Channel, 'rateHz' | 'blockSamples'>): number {
  return channel.blockSamples / channel.rateHz;
}

/** The telemetry message a device publishes for `block` of `channel`, the block starting at `startMs` of simulated time. */
export function telemetryOf(device: string, channel: Channel, block: ChannelBlock, seq: number, startMs: number): TelemetryV1 {
  return {
    type: 'telemetry',
    v: 1,
    device,
    sensor: channel.sensor,
    seq,
    tsMs: startMs + block.tsOffsetMs,
    rateHz: channel.rateHz,
    unit: channel.unit,
    values: block.values,
  };
}
