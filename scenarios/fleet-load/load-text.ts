import { loadShortfalls, type FleetLoadReport, type LoadSnapshot } from './load-report';

const int = (n: number) => Math.round(n).toLocaleString('en');
const ms = (x: number) => (Number.isFinite(x) ? (x < 10 ? x.toFixed(1) : x.toFixed(0)) : '–');
const mb = (bytes: number) => (bytes < 1e6 ? `${(bytes / 1e3).toFixed(1)} kB` : `${(bytes / 1e6).toFixed(1)} MB`);

function errorText(errors: Readonly<Record<string, number>>): string {
  const entries = Object.entries(errors);
  return entries.length ? entries.map(([reason, n]) => `${reason} ×${int(n)}`).join(', ') : 'none';
}

/** The text of `twinbed twins`' progress line (scenarios/progress-line.ts draws it): one call per line, with the acknowledged rate since the previous call. */
export class LoadProgressText {
  #lastAcked = 0;
  #lastWallMs: number | undefined;

  /** @param nowWallMs wall clock, ms (monotonic) */
  line(s: LoadSnapshot, nowWallMs: number): string {
    const t = s.transport;
    if (s.phase === 'connecting') return `twins connecting ${int(s.devices)} devices…`;
    // Since the previous line; the first line, since publishing began.
    const rate =
      this.#lastWallMs === undefined
        ? s.publishWallS > 0 ? t.acked / s.publishWallS : 0
        : nowWallMs > this.#lastWallMs ? ((t.acked - this.#lastAcked) * 1000) / (nowWallMs - this.#lastWallMs) : 0;
    this.#lastAcked = t.acked;
    this.#lastWallMs = nowWallMs;
    const errors = Object.values(t.errors).reduce((a, b) => a + b, 0);
    return (
      `twins ${s.simulatedS.toFixed(0)}/${s.durationS} s · ${int(t.connectedNow)}/${int(s.devices)} connected · ` +
      `${int(rate)} msg/s of ${int(s.intendedPerS)} · PUBACK p50 ${ms(t.pubackMs.p50Ms)} ms p99 ${ms(t.pubackMs.p99Ms)} ms · ` +
      `${int(errors)} errors · ${int(t.acked)}/${int(t.messages)} acked · ${mb(t.bytes)}` +
      (s.phase === 'draining' ? ' · draining' : '')
    );
  }
}

/** The summary printed at the end: connections, messages, latency, errors, and whether the load landed in full. */
export function formatLoadSummary(r: FleetLoadReport): string {
  const c = r.connections;
  const m = r.messages;
  const shard = r.shard.total > 1 ? `, shard ${r.shard.index}/${r.shard.total} (devices ${r.shard.from}–${r.shard.to - 1} of ${int(r.devices.total)})` : '';
  const pace = r.timeScale === 'max' ? 'virtual time' : `×${r.timeScale}`;
  const shortfalls = loadShortfalls(r);
  return [
    `twinbed twins ${r.file ?? r.scenario}: "${r.scenario}"${r.scale > 1 ? ` ×${r.scale}` : ''}${shard}, seed ${r.seed}, ${r.durationS} s at ${pace} against ${r.target} (${r.url})`,
    `  devices: ${int(c.devicesConnected)} of ${int(r.devices.inShard)} connected in ${r.connectWallS.toFixed(1)} s (${int(c.attempted)} CONNECTs, ${int(c.established)} accepted, ${int(c.disconnects)} dropped later), ` +
      `connect p50 ${ms(c.connectP50Ms)} ms p99 ${ms(c.connectP99Ms)} ms`,
    `  messages: ${int(m.readings)} of ${int(m.intended)} intended sent${m.dropped ? ` (${int(m.dropped)} dropped by sensor faults)` : ''}; ` +
      `${int(m.acked)} of ${int(m.sent)} written acknowledged, ${int(m.failed)} failed, ${int(m.unacknowledged)} unacknowledged`,
    `  rate: ${int(m.achievedPerS)} msg/s acknowledged over ${r.publishWallS.toFixed(1)} s, intended ${int(m.intendedPerS)} msg/s` + (r.timeScale === 'max' ? ' of simulated time' : ''),
    `  PUBACK p50 ${ms(r.pubackMs.p50)} ms, p99 ${ms(r.pubackMs.p99)} ms, max ${ms(r.pubackMs.max)} ms; ${mb(r.bytes)} of payload; errors: ${errorText(r.errors)}`,
    `  this process: ${r.process.cpuS.toFixed(1)} s CPU; RSS ${r.process.rssBeforeMb.toFixed(0)} MB before the fleet, ${r.process.rssLowMb.toFixed(0)}–${r.process.rssPeakMb.toFixed(0)} MB while it ran`,
    `  telemetry sha256 ${r.telemetrySha256}`,
    r.stoppedEarly ? `STOPPED EARLY (${r.stoppedEarly}): ${shortfalls.join('; ') || 'nothing left unsent'}` : shortfalls.length ? `INCOMPLETE: ${shortfalls.join('; ')}` : 'DONE: every device connected, every intended message sent and acknowledged',
  ].join('\n');
}
