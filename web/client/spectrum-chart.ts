import uPlot from 'uplot';
import type { SpectrumMarker, SpectrumSeries } from './spectrum-answer';

export interface SpectrumChartOptions {
  title: string;
  colour: string;
  width: number;
  height: number;
  /** Frequency on a log axis: a shaft line at 25 Hz and a resonance at 3.5 kHz both readable. Default linear. */
  logHz?: boolean;
}

/** Each defect line's colour, so a marker reads the same on both charts. */
const MARKER_COLOURS: Readonly<Record<string, string>> = { '1×': '#d8dee9', BPFO: '#f2b134', BPFI: '#ff6b6b', '2×BSF': '#e07be0', FTF: '#4fd1c5' };

/**
 * One spectrum (amplitude against frequency) that is replaced whole on each update, with the bearing defect lines
 * drawn over it as labelled vertical markers.
 */
export class SpectrumChart {
  readonly plot: uPlot;
  #markers: readonly SpectrumMarker[] = [];

  constructor(el: HTMLElement, options: SpectrumChartOptions) {
    this.plot = new uPlot(
      {
        title: options.title,
        width: options.width,
        height: options.height,
        legend: { show: false },
        cursor: { show: false },
        scales: {
          // The data's own span: uPlot would widen a log axis to whole decades (12.8 kHz shown up to 100 kHz).
          x: { time: false, ...(options.logHz ? { distr: 3, log: 10 } : {}), range: (_u, min, max) => (min !== null && max !== null && max > min ? [min, max] : [1, 10]) },
          y: { range: (_u, _min, max) => [0, max > 0 ? max * 1.15 : 1] },
        },
        axes: [
          { stroke: '#aab6c5', grid: { stroke: '#2c3646' }, ticks: { stroke: '#2c3646' }, values: (_u, ticks) => ticks.map(hzLabel) },
          { stroke: '#aab6c5', grid: { stroke: '#2c3646' }, ticks: { stroke: '#2c3646' }, size: 56, values: (_u, ticks) => ticks.map(amplitudeLabel) },
        ],
        series: [{}, { label: 'amplitude', stroke: options.colour, width: 1, points: { show: false } }],
        hooks: { draw: [(u: uPlot) => this.#drawMarkers(u)] },
      },
      [[], []],
      el,
    );
  }

  /** Points on the chart now. */
  get points(): number {
    return this.plot.data[0]?.length ?? 0;
  }

  show(series: SpectrumSeries, markers: readonly SpectrumMarker[]): void {
    this.#markers = markers;
    this.plot.setData([series.hz, series.amplitude]);
    // What the chart shows, for tests to wait on.
    this.plot.root.dataset.points = String(this.points);
  }

  destroy(): void {
    this.plot.destroy();
  }

  /** Dashed vertical lines at the markers in view, labels stacked in rows where they would overlap. */
  #drawMarkers(u: uPlot): void {
    const { left, top, width, height } = u.bbox;
    const ratio = uPlot.pxRatio;
    const ctx = u.ctx;
    ctx.save();
    ctx.font = `${10 * ratio}px sans-serif`;
    ctx.lineWidth = ratio;
    ctx.setLineDash([4 * ratio, 3 * ratio]);
    const placed = this.#markers
      .map((m) => ({ ...m, x: u.valToPos(m.hz, 'x', true) }))
      .filter((m) => Number.isFinite(m.x) && m.x >= left && m.x <= left + width)
      .sort((a, b) => a.x - b.x);
    const rowEnds: number[] = [];
    for (const m of placed) {
      const colour = MARKER_COLOURS[m.label] ?? '#d8dee9';
      ctx.strokeStyle = colour;
      ctx.fillStyle = colour;
      ctx.beginPath();
      ctx.moveTo(m.x, top);
      ctx.lineTo(m.x, top + height);
      ctx.stroke();
      const labelWidth = ctx.measureText(m.label).width;
      let row = rowEnds.findIndex((end) => end < m.x);
      if (row < 0) row = rowEnds.length;
      rowEnds[row] = m.x + 2 * ratio + labelWidth + 4 * ratio;
      ctx.fillText(m.label, Math.min(m.x + 2 * ratio, left + width - labelWidth), top + (11 + 11 * row) * ratio);
    }
    ctx.restore();
  }
}

/** A healthy machine's lines are micro-g: short exponents there rather than a column of zeros. */
function amplitudeLabel(a: number | null): string {
  if (a === null) return '';
  return a === 0 ? '0' : Math.abs(a) >= 0.01 ? `${+a.toPrecision(3)}` : a.toExponential(1);
}

/** Tick labels in Hz, kHz above a thousand. */
function hzLabel(hz: number | null): string {
  if (hz === null) return '';
  return hz >= 1000 ? `${+(hz / 1000).toPrecision(3)}k` : `${+hz.toPrecision(3)}`;
}
