import type { BearingOrders } from '../../protocol/bearing-orders';
import { fixed } from './headline';
import { defectMarkers, type SpectrumAnswer, type SpectrumReady } from './spectrum-answer';
import { SpectrumChart } from './spectrum-chart';

/** How often an open panel asks for the latest spectrum, ms. */
export const POLL_MS = 2000;

export interface SpectrumTarget {
  device: string;
  /** A vibration sensor: one that uplinks raw waveforms. */
  sensor: string;
  /** The machine's bearing defect orders, for a server that does not say them. */
  orders?: BearingOrders | undefined;
  /** A replay's instant: the spectrum as it stood then, fetched once. Absent: live, polled while the panel is open. */
  atMs?: number | undefined;
}

/**
 * The panel's spectra of one vibration sensor: the latest amplitude spectrum and envelope spectrum, with 1×, BPFO,
 * BPFI, 2×BSF and FTF marked, from GET /api/spectrum. Until a raw waveform exists (the server asks the gateway for
 * one) it says so; afterwards a poll that finds none newer keeps the spectra shown.
 */
export class SpectrumView {
  readonly #root: HTMLElement;
  readonly #target: SpectrumTarget;
  readonly #status: HTMLElement;
  #charts: { spectrum: SpectrumChart; envelope: SpectrumChart } | undefined;
  #shownMs: number | undefined;
  #timer: ReturnType<typeof setTimeout> | undefined;
  #stopped = false;

  constructor(root: HTMLElement, target: SpectrumTarget) {
    this.#root = root;
    this.#target = target;
    root.hidden = false;
    root.innerHTML = '<h3>Spectra</h3><div class="spectrum-status" data-state="pending">no raw data yet</div><div class="chart spectrum-chart"></div><div class="chart envelope-chart"></div>';
    this.#status = root.querySelector<HTMLElement>('.spectrum-status')!;
    void this.#poll();
  }

  stop(): void {
    this.#stopped = true;
    clearTimeout(this.#timer);
    this.#charts?.spectrum.destroy();
    this.#charts?.envelope.destroy();
    this.#charts = undefined;
  }

  async #poll(): Promise<void> {
    const { device, sensor, atMs } = this.#target;
    const query = `device=${encodeURIComponent(device)}&sensor=${encodeURIComponent(sensor)}${atMs === undefined ? '' : `&at=${atMs}`}`;
    try {
      const res = await fetch(`/api/spectrum?${query}`);
      const answer = (await res.json()) as SpectrumAnswer | { error: string };
      if (this.#stopped) return;
      if ('error' in answer) this.#say('error', answer.error);
      else if (answer.pending || !answer.found) {
        // A newer waveform is on its way (or there is none): keep what is shown, if anything.
        if (this.#shownMs === undefined) this.#say(answer.pending ? 'pending' : 'missing', `no raw data yet: ${answer.message}`);
      } else this.#show(answer);
    } catch (error) {
      if (this.#stopped) return;
      this.#say('error', `spectrum unavailable: ${(error as Error).message}`);
    }
    if (atMs === undefined && !this.#stopped) this.#timer = setTimeout(() => void this.#poll(), POLL_MS);
  }

  #show(answer: SpectrumReady): void {
    this.#status.dataset.state = 'ready';
    const shaft = answer.shaftHz ? ` · shaft ${fixed(answer.shaftHz)} Hz (${answer.shaftSource ?? 'nominal'})` : ' · shaft speed unknown';
    const [lo, hi] = answer.envelope.bandHz;
    this.#status.textContent = `${new Date(answer.tsMs).toISOString().slice(11, 23)} · ${fixed(answer.samples / answer.rateHz)} s at ${fixed(answer.rateHz / 1000)} kHz${shaft} · envelope of ${Math.round(lo)}–${Math.round(hi)} Hz`;
    if (answer.tsMs === this.#shownMs) return;
    this.#shownMs = answer.tsMs;
    const markers = defectMarkers(answer.shaftHz, answer.bearingOrders ?? this.#target.orders);
    this.#charts ??= {
      spectrum: new SpectrumChart(this.#root.querySelector<HTMLElement>('.spectrum-chart')!, { title: `Spectrum (${answer.unit})`, colour: '#4da3ff', width: 380, height: 150, logHz: true }),
      envelope: new SpectrumChart(this.#root.querySelector<HTMLElement>('.envelope-chart')!, { title: `Envelope spectrum (${answer.unit})`, colour: '#7bd389', width: 380, height: 150 }),
    };
    this.#charts.spectrum.show(answer.spectrum, markers);
    this.#charts.envelope.show(answer.envelope, markers);
  }

  #say(state: string, text: string): void {
    this.#status.dataset.state = state;
    this.#status.textContent = text;
  }
}
