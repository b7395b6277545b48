import uPlot from 'uplot';

export interface LiveChartOptions {
  title: string;
  /** One line per series. */
  series: { label: string; colour: string }[];
  /** Dashed horizontal lines: rule thresholds. */
  thresholds?: number[];
  width: number;
  height: number;
  /** Points kept per series; older ones scroll off. Default 600. */
  maxPoints?: number;
}

/**
 * A uPlot time series that grows by appending: points go onto the arrays the plot already holds and one redraw a
 * frame shows them, so 25 updates a second cost 25 array pushes and at most one redraw per frame, never a rebuild.
 */
export class LiveChart {
  readonly plot: uPlot;
  readonly #data: number[][];
  readonly #max: number;
  readonly #thresholds: readonly number[];
  #redraw = 0;

  constructor(el: HTMLElement, options: LiveChartOptions) {
    this.#max = options.maxPoints ?? 600;
    this.#thresholds = options.thresholds ?? [];
    this.#data = [[], ...options.series.map(() => [])];
    const thresholds = options.thresholds ?? [];
    this.plot = new uPlot(
      {
        title: options.title,
        width: options.width,
        height: options.height,
        legend: { show: true, live: false },
        cursor: { show: false },
        // Ranged by hand on every redraw (see #draw): uPlot's own would spread a single point over years.
        scales: { x: { time: true, auto: false }, y: { auto: false } },
        axes: [
          { stroke: '#aab6c5', grid: { stroke: '#2c3646' }, ticks: { stroke: '#2c3646' } },
          { stroke: '#aab6c5', grid: { stroke: '#2c3646' }, ticks: { stroke: '#2c3646' }, size: 56 },
        ],
        // Points drawn too: a slow sensor's first minutes are a few windows, and a line needs two.
        series: [{}, ...options.series.map((s) => ({ label: s.label, stroke: s.colour, width: 1.5, points: { show: true, size: 4, fill: s.colour } }))],
        hooks: {
          draw: [
            (u: uPlot) => {
              const ctx = u.ctx;
              ctx.save();
              ctx.strokeStyle = '#ff6b6b';
              ctx.setLineDash([6, 4]);
              ctx.lineWidth = 1.5;
              for (const t of thresholds) {
                const y = u.valToPos(t, 'y', true);
                ctx.beginPath();
                ctx.moveTo(u.bbox.left, y);
                ctx.lineTo(u.bbox.left + u.bbox.width, y);
                ctx.stroke();
              }
              ctx.restore();
            },
          ],
        },
      },
      this.#data as uPlot.AlignedData,
      el,
    );
  }

  /** Points on the chart now. */
  get points(): number {
    return this.#data[0]!.length;
  }

  /** Adds one point per series at `tsMs` (null: no value); readings out of time order are dropped. */
  append(tsMs: number, values: readonly (number | null)[]): void {
    const xs = this.#data[0]!;
    const t = tsMs / 1000;
    if (xs.length > 0 && t <= xs[xs.length - 1]!) return;
    xs.push(t);
    values.forEach((v, i) => (this.#data[i + 1] as (number | null)[]).push(v));
    if (xs.length > this.#max) for (const column of this.#data) column.splice(0, xs.length - this.#max);
    this.#redraw ||= requestAnimationFrame(() => this.#draw());
  }

  #draw(): void {
    this.#redraw = 0;
    const xs = this.#data[0]!;
    let lo = Infinity;
    let hi = -Infinity;
    for (const column of this.#data.slice(1)) {
      for (const v of column as (number | null)[]) {
        if (v === null) continue;
        if (v < lo) lo = v;
        if (v > hi) hi = v;
      }
    }
    this.plot.batch(() => {
      this.plot.setData(this.#data as uPlot.AlignedData, false);
      // At least a minute wide, so a slow sensor's first readings read as a minute, not a point.
      const last = xs[xs.length - 1] ?? 0;
      this.plot.setScale('x', { min: Math.min(xs[0] ?? last, last - 60), max: last });
      const [min, max] = range(Number.isFinite(lo) ? lo : null, Number.isFinite(hi) ? hi : null, this.#thresholds);
      this.plot.setScale('y', { min, max });
    });
    // What the chart shows, for tests to wait on.
    this.plot.root.dataset.points = String(this.points);
  }

  destroy(): void {
    cancelAnimationFrame(this.#redraw);
    this.plot.destroy();
  }
}

function range(lo: number | null, hi: number | null, thresholds: readonly number[]): [number, number] {
  let min = lo ?? 0;
  let max = hi ?? 1;
  for (const t of thresholds) {
    min = Math.min(min, t);
    max = Math.max(max, t);
  }
  if (min >= 0 && min < max * 0.5) min = 0;
  const pad = (max - min || Math.abs(max) || 1) * 0.1;
  return [min === 0 ? 0 : min - pad, max + pad];
}
