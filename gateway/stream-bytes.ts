/** One stream's bytes at the gateway. */
export interface StreamBytes {
  device: string;
  sensor: string;
  /** Payload bytes received from the device for this sensor, over every protocol (dead-lettered and resent ones too). */
  bytesIn: number;
  /** Bytes of its feature records acknowledged upstream (events and raw blocks, sent on demand, are not counted). */
  bytesUp: number;
}

/** Bytes in and up per (device, sensor): what shows whether the edge reduces a stream or inflates it. */
export class StreamByteCounts {
  readonly #streams = new Map<string, StreamBytes>();

  addIn(device: string, sensor: string, bytes: number): void {
    this.#of(device, sensor).bytesIn += bytes;
  }

  addUp(device: string, sensor: string, bytes: number): void {
    this.#of(device, sensor).bytesUp += bytes;
  }

  /** Every stream heard of, by device then sensor; copies. */
  list(): StreamBytes[] {
    return [...this.#streams.values()].map((s) => ({ ...s })).sort((a, b) => a.device.localeCompare(b.device) || a.sensor.localeCompare(b.sensor));
  }

  #of(device: string, sensor: string): StreamBytes {
    const key = `${device}\u0000${sensor}`;
    let stream = this.#streams.get(key);
    if (!stream) this.#streams.set(key, (stream = { device, sensor, bytesIn: 0, bytesUp: 0 }));
    return stream;
  }
}
