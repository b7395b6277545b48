// What GET /api/spectrum answers, and where the panel marks the bearing defect lines. Platform-free: the server
// builds the answer, the browser draws it.
import type { BearingOrders } from '../../protocol/bearing-orders';

/** A spectrum reduced for a chart: at most ~1024 points, each the largest bin of its group. */
export interface SpectrumSeries {
  /** Bin spacing of the full spectrum, fs/N, Hz. */
  binHz: number;
  hz: number[];
  /** Amplitude at each frequency, in the sensor's unit (a sine of amplitude A reads A). */
  amplitude: number[];
}

/** The spectra of the newest raw waveform of a sensor. */
export interface SpectrumReady {
  pending: false;
  found: true;
  device: string;
  sensor: string;
  unit: string;
  rateHz: number;
  /** Event time of the newest raw block analysed, ms since the Unix epoch. */
  tsMs: number;
  /** Event time of the first sample analysed: the newest block joined with the consecutive blocks before it. */
  fromMs: number;
  blocks: number;
  samples: number;
  /** FFT length: `samples` zero-padded to a power of two. */
  fftSize: number;
  /** Shaft rotation frequency fr, Hz, when known: from the gateway's `shaftHz` feature, else the machine's nominal speed. */
  shaftHz?: number;
  shaftSource?: 'features' | 'nominal';
  /** The machine's bearing defect frequencies as multiples of fr (protocol/bearing-orders.ts), when the hall says. */
  bearingOrders?: BearingOrders;
  /** Single-sided amplitude spectrum (Hann), 0 Hz excluded, on a log-spaced reduction up to Nyquist. */
  spectrum: SpectrumSeries;
  /** Envelope spectrum of the demodulation band `bandHz`, from 0 Hz to the band's width, 1 kHz or about 4× the highest defect line, whichever is least. */
  envelope: SpectrumSeries & { bandHz: [number, number] };
  /** The `raw.request` this call sent for newer data, the waveform shown being over REFRESH_MS old. */
  requestId?: string;
}

/** No recent raw block yet: the server asked the device's gateway for some (now, or a few seconds ago). */
export interface SpectrumPending {
  pending: true;
  /** The `raw.request` command this call sent, if it sent one. */
  requestId?: string;
  message: string;
}

/** No recent raw block, and no way to ask for one (a replay, or no gateway known for the device). */
export interface SpectrumMissing {
  pending: false;
  found: false;
  message: string;
}

export type SpectrumAnswer = SpectrumReady | SpectrumPending | SpectrumMissing;

export interface SpectrumMarker {
  label: string;
  hz: number;
}

/** The lines to mark at shaft frequency fr: 1×, and with the bearing's orders BPFO, BPFI, 2×BSF (a ball strikes both races) and FTF. */
export function defectMarkers(shaftHz: number | undefined, orders: BearingOrders | undefined): SpectrumMarker[] {
  if (shaftHz === undefined || !(shaftHz > 0)) return [];
  const markers: SpectrumMarker[] = [{ label: '1×', hz: shaftHz }];
  if (orders) {
    markers.push(
      { label: 'BPFO', hz: orders.bpfo * shaftHz },
      { label: 'BPFI', hz: orders.bpfi * shaftHz },
      { label: '2×BSF', hz: 2 * orders.bsf * shaftHz },
      { label: 'FTF', hz: orders.ftf * shaftHz },
    );
  }
  return markers;
}
