import uPlot from 'uplot';
import { chartTheme, withAlpha } from './chart-theme';
import { formatValue } from './format';
import type { FaultView } from './report-view';

// Canvas drawing shared by the timeline and the feature charts. uPlot hands hooks canvas pixels (CSS px × pxRatio).

export const px = (cssPx: number) => cssPx * uPlot.pxRatio;

/** Tick steps in simulated seconds: whole seconds, then whole minutes, then whole hours. */
const TIME_INCRS = [0.1, 0.2, 0.5, 1, 2, 5, 10, 15, 30, 60, 120, 300, 600, 900, 1800, 3600, 7200, 10800, 21600, 43200, 86400];

/**
 * The x axis every chart of a run shares: simulated time from 0 to the end of the run, in one unit per axis chosen
 * from the run's length (seconds, minutes or hours), so ticks read `0 s 10 s 20 s` or `0 min 15 min 30 min`.
 */
export function timeAxis(endS: number): uPlot.Axis {
  const t = chartTheme();
  const [unit, perUnit] = endS < 600 ? ['s', 1] : endS < 3 * 3600 ? ['min', 60] : ['h', 3600];
  return {
    stroke: t.muted,
    font: t.font,
    grid: { stroke: t.grid, width: 1 },
    ticks: { stroke: t.grid, width: 1, size: 4 },
    incrs: TIME_INCRS,
    space: 48,
    values: (_u, splits) => splits.map((s) => `${Number((s / perUnit).toFixed(2))} ${unit}`),
    size: 28,
  };
}

export function valueAxis(): uPlot.Axis {
  const t = chartTheme();
  return {
    stroke: t.muted,
    font: t.font,
    grid: { stroke: t.grid, width: 1 },
    ticks: { stroke: t.grid, width: 1, size: 4 },
    values: (_u, splits) => splits.map((s) => formatValue(s)),
    size: (u, values) => {
      if (!values) return 40;
      u.ctx.font = t.font;
      return Math.ceil(Math.max(24, ...values.map((v) => u.ctx.measureText(v).width / uPlot.pxRatio)) + 14);
    },
  };
}

/** Runs `draw` clipped to the plotting area, with the context restored after; text alignment is whatever uPlot left. */
export function inPlot(u: uPlot, draw: (ctx: CanvasRenderingContext2D) => void): void {
  const { ctx, bbox } = u;
  ctx.save();
  ctx.beginPath();
  ctx.rect(bbox.left, bbox.top, bbox.width, bbox.height);
  ctx.clip();
  draw(ctx);
  ctx.restore();
}

/**
 * A fault between two canvas rows: a ramp from its onset to full severity (a step fault rises at once), then held to
 * the end of the plot, since a timeline does not say when a fault ends. `labelled` writes its id at the onset.
 */
export function drawFaultShape(u: uPlot, fault: FaultView, top: number, bottom: number, labelled: boolean): void {
  const colour = chartTheme().fault;
  const x0 = u.valToPos(fault.atS, 'x', true);
  const x1 = u.valToPos(fault.fullAtS, 'x', true);
  const xEnd = u.bbox.left + u.bbox.width;
  inPlot(u, (ctx) => {
    ctx.fillStyle = withAlpha(colour, 0.22);
    ctx.beginPath();
    ctx.moveTo(x0, bottom);
    ctx.lineTo(x1, top);
    ctx.lineTo(xEnd, top);
    ctx.lineTo(xEnd, bottom);
    ctx.closePath();
    ctx.fill();
    ctx.strokeStyle = colour;
    ctx.lineWidth = px(1.5);
    ctx.beginPath();
    ctx.moveTo(x0, bottom);
    ctx.lineTo(x1, top);
    ctx.lineTo(xEnd, top);
    ctx.stroke();
    if (labelled) {
      // A halo in the page colour keeps the id legible where it crosses the ramp or a marker.
      const x = Math.max(x0, u.bbox.left) + px(4);
      ctx.font = `600 ${px(10)}px system-ui, sans-serif`;
      ctx.textAlign = 'left';
      ctx.textBaseline = 'top';
      ctx.lineJoin = 'round';
      ctx.strokeStyle = chartTheme().background;
      ctx.lineWidth = px(3);
      ctx.strokeText(fault.id, x, top + px(2));
      ctx.fillStyle = colour;
      ctx.fillText(fault.id, x, top + px(2));
    }
  });
}

/** A fault behind a feature trend: shaded from onset to full severity, faintly after; dashed edges at both. */
export function drawFaultBand(u: uPlot, fault: FaultView): void {
  const colour = chartTheme().fault;
  const { top, height, left, width } = u.bbox;
  const x0 = u.valToPos(fault.atS, 'x', true);
  const x1 = u.valToPos(fault.fullAtS, 'x', true);
  inPlot(u, (ctx) => {
    ctx.fillStyle = withAlpha(colour, 0.16);
    ctx.fillRect(x0, top, Math.max(x1 - x0, px(2)), height);
    ctx.fillStyle = withAlpha(colour, 0.06);
    ctx.fillRect(x1, top, left + width - x1, height);
    ctx.strokeStyle = withAlpha(colour, 0.8);
    ctx.lineWidth = px(1);
    ctx.setLineDash([px(3), px(3)]);
    for (const x of x0 === x1 ? [x0] : [x0, x1]) {
      ctx.beginPath();
      ctx.moveTo(x, top);
      ctx.lineTo(x, top + height);
      ctx.stroke();
    }
  });
}

export type MarkerShape = 'up' | 'down' | 'diamond' | 'square';

/** A marker centred at canvas (x, y), `size` CSS px across; `hollow` strokes instead of filling. */
export function drawMarker(ctx: CanvasRenderingContext2D, shape: MarkerShape, x: number, y: number, size: number, colour: string, hollow = false): void {
  const r = px(size / 2);
  ctx.beginPath();
  switch (shape) {
    case 'up':
      ctx.moveTo(x, y - r);
      ctx.lineTo(x + r, y + r * 0.8);
      ctx.lineTo(x - r, y + r * 0.8);
      break;
    case 'down':
      ctx.moveTo(x, y + r);
      ctx.lineTo(x + r, y - r * 0.8);
      ctx.lineTo(x - r, y - r * 0.8);
      break;
    case 'diamond':
      ctx.moveTo(x, y - r);
      ctx.lineTo(x + r, y);
      ctx.lineTo(x, y + r);
      ctx.lineTo(x - r, y);
      break;
    case 'square':
      ctx.rect(x - r * 0.8, y - r * 0.8, r * 1.6, r * 1.6);
      break;
  }
  ctx.closePath();
  if (hollow) {
    ctx.fillStyle = chartTheme().background;
    ctx.fill();
    ctx.strokeStyle = colour;
    ctx.lineWidth = px(1.5);
    ctx.stroke();
  } else {
    ctx.fillStyle = colour;
    ctx.fill();
  }
}
