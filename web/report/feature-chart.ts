import uPlot from 'uplot';
import { drawFaultBand, drawMarker, inPlot, px, timeAxis, valueAxis } from './chart-draw';
import { chartTheme } from './chart-theme';
import { formatSimS, formatValue } from './format';
import type { SeriesView, TimelineView } from './report-view';
import { mergeHooks, type ZoomGroup } from './zoom-group';

/** Above this many points a trend is drawn as a line only; below it each feature window also gets a dot. */
const DOTS_UP_TO = 90;

/** Whether a fault or an alert belongs on a series' chart: same device, and same sensor when it names one. */
function concerns(series: SeriesView, x: { device: string; sensor?: string }): boolean {
  return x.device === series.device && (x.sensor === undefined || series.sensor === '' || x.sensor === series.sensor);
}

/** The y range: the data and every threshold, padded, starting at 0 for non-negative features near it. */
export function valueRange(ys: readonly number[], thresholds: readonly number[]): [number, number] {
  let lo = Infinity;
  let hi = -Infinity;
  for (const v of ys) {
    if (v < lo) lo = v;
    if (v > hi) hi = v;
  }
  for (const v of thresholds) {
    if (v < lo) lo = v;
    if (v > hi) hi = v;
  }
  if (!Number.isFinite(lo)) return [0, 1];
  if (lo >= 0 && lo < hi * 0.5) lo = 0;
  const span = hi - lo || Math.abs(hi) || 1;
  return [lo === 0 ? 0 : lo - span * 0.08, hi + span * 0.12];
}

/**
 * One watched feature over simulated time with its rule thresholds (dashed), the faults of its device shaded behind
 * it, and the device's alerts as ticks on the top edge. `readout` shows the value under the cursor.
 */
export function featureChart(el: HTMLElement, width: number, series: SeriesView, t: TimelineView, group: ZoomGroup, readout: HTMLElement): uPlot {
  const theme = chartTheme();
  const faults = t.faults.filter((f) => concerns(series, f));
  const alerts = t.alerts.filter((a) => concerns(series, a));
  const [lo, hi] = valueRange(series.ys, series.thresholds);
  const opts: uPlot.Options = {
    width,
    height: 150,
    legend: { show: false },
    cursor: group.cursor({ points: { size: 6 } }),
    scales: { x: group.scale(), y: { auto: false, range: () => [lo, hi] } },
    series: [
      {},
      {
        label: series.metric,
        stroke: theme.series,
        width: 1.5,
        fill: undefined,
        points: { show: series.xs.length <= DOTS_UP_TO, size: 4, fill: theme.series },
      },
    ],
    axes: [timeAxis(t.endS), { ...valueAxis(), space: 24 }],
    hooks: mergeHooks(group.hooks(), {
      drawClear: [(u) => faults.forEach((f) => drawFaultBand(u, f))],
      draw: [
        (u) => {
          inPlot(u, (ctx) => {
            const { left, width: w, top } = u.bbox;
            ctx.font = `${px(10)}px system-ui, sans-serif`;
            ctx.textAlign = 'right';
            ctx.textBaseline = 'bottom';
            // Highest line first; a label that would touch the one above it goes under its line instead.
            let lastLabelY = -Infinity;
            for (const threshold of [...series.thresholds].sort((a, b) => b - a)) {
              const y = Math.round(u.valToPos(threshold, 'y', true)) + 0.5;
              ctx.strokeStyle = theme.threshold;
              ctx.lineWidth = px(1.25);
              ctx.setLineDash([px(6), px(4)]);
              ctx.beginPath();
              ctx.moveTo(left, y);
              ctx.lineTo(left + w, y);
              ctx.stroke();
              const below = y - px(2) - lastLabelY < px(14);
              ctx.textBaseline = below ? 'top' : 'bottom';
              const labelY = below ? y + px(2) : y - px(2);
              ctx.fillStyle = theme.threshold;
              ctx.fillText(`above ${formatValue(threshold)}`, left + w - px(4), labelY);
              lastLabelY = below ? labelY + px(11) : labelY;
            }
            ctx.setLineDash([]);
            for (const a of alerts) {
              const colour = a.state === 'cleared' ? theme.cleared : a.kind === 'anomaly' ? theme.anomaly : theme.alert;
              drawMarker(ctx, 'down', u.valToPos(a.atS, 'x', true), top + px(5), 9, colour, a.state === 'cleared');
            }
          });
          el.dataset.drawn = 'true';
        },
      ],
      setCursor: [
        (u) => {
          const i = u.cursor.idx;
          const x = i === null || i === undefined ? undefined : series.xs[i];
          const y = i === null || i === undefined ? undefined : series.ys[i];
          readout.textContent = x === undefined || y === undefined ? '' : `${formatValue(y)} at ${formatSimS(x)}`;
        },
      ],
    }),
  };
  return new uPlot(opts, [series.xs, series.ys], el);
}
