import uPlot from 'uplot';
import { drawFaultShape, drawMarker, inPlot, px, timeAxis, type MarkerShape } from './chart-draw';
import { chartTheme } from './chart-theme';
import { formatSimS } from './format';
import type { TimelineView } from './report-view';
import { mergeHooks, type ZoomGroup } from './zoom-group';

/** CSS px per device lane. */
const LANE_PX = 34;

interface Mark {
  lane: number;
  atS: number;
  shape: MarkerShape;
  colour: string;
  hollow: boolean;
  /** Lane fraction from its top where the marker sits: alerts above, commands and steps below. */
  at: number;
  text: string;
}

/** The devices a timeline is about, one lane each, in name order. */
export function timelineLanes(t: TimelineView): string[] {
  const names = new Set<string>();
  for (const x of [...t.faults, ...t.alerts, ...t.commands, ...t.steps, ...t.series]) names.add(x.device);
  return [...names].sort((a, b) => a.localeCompare(b, 'en', { numeric: true }));
}

/**
 * Faults against what the system did, one lane per device over simulated time: a fault rises from onset to full
 * severity; ▲ an alert raised, ▽ cleared (red: threshold rule, purple: anomaly model); ◆ a command the system sent;
 * ■ a step of the scenario. Hovering names the nearest mark.
 */
export function timelineChart(el: HTMLElement, width: number, t: TimelineView, group: ZoomGroup): uPlot {
  const theme = chartTheme();
  const lanes = timelineLanes(t);
  if (lanes.length === 0) lanes.push('');
  const laneOf = new Map(lanes.map((name, i) => [name, i]));
  const n = lanes.length;
  const marks: Mark[] = [];
  for (const a of t.alerts) {
    const colour = a.state === 'cleared' ? theme.cleared : a.kind === 'anomaly' ? theme.anomaly : theme.alert;
    const what = `${a.kind === 'anomaly' ? 'anomaly' : 'alert'} ${a.state}`;
    marks.push({ lane: laneOf.get(a.device) ?? 0, atS: a.atS, shape: a.state === 'cleared' ? 'down' : 'up', colour, hollow: a.state === 'cleared', at: 0.4, text: `${what} at ${formatSimS(a.atS)} on ${a.device}${a.sensor ? `/${a.sensor}` : ''}: ${a.rule}` });
  }
  for (const c of t.commands) {
    marks.push({ lane: laneOf.get(c.device) ?? 0, atS: c.atS, shape: 'diamond', colour: theme.command, hollow: false, at: 0.72, text: `command ${c.action} to ${c.device} at ${formatSimS(c.atS)}` });
  }
  for (const s of t.steps) {
    marks.push({ lane: laneOf.get(s.device) ?? 0, atS: s.atS, shape: 'square', colour: theme.step, hollow: false, at: 0.72, text: `step ${s.action} on ${s.device} at ${formatSimS(s.atS)}${s.outcome ? `: ${s.outcome}` : ''}` });
  }
  // Lane i runs from y = n − i (top) to n − i − 1, so the first device is drawn at the top.
  const laneTop = (u: uPlot, lane: number) => u.valToPos(n - lane, 'y', true);
  const laneBottom = (u: uPlot, lane: number) => u.valToPos(n - lane - 1, 'y', true);
  const tip = document.createElement('div');
  tip.className = 'chart-tip';

  const opts: uPlot.Options = {
    width,
    height: n * LANE_PX + 36,
    legend: { show: false },
    cursor: group.cursor({ y: false, points: { show: false } }),
    scales: { x: group.scale(), y: { auto: false, range: () => [0, n] } },
    series: [{}],
    axes: [
      timeAxis(t.endS),
      {
        stroke: theme.text,
        font: theme.font,
        grid: { show: false },
        ticks: { show: false },
        splits: () => lanes.map((_, i) => n - i - 0.5),
        values: (_u, splits) => splits.map((v) => ellipsis(lanes[Math.round(n - v - 0.5)] ?? '', 22)),
        size: (u) => {
          u.ctx.font = theme.font;
          return Math.ceil(Math.max(40, ...lanes.map((l) => u.ctx.measureText(ellipsis(l, 22)).width / uPlot.pxRatio)) + 14);
        },
      },
    ],
    hooks: mergeHooks(group.hooks(), {
      drawClear: [
        (u) => {
          // Lane separators, then each fault in its lane.
          inPlot(u, (ctx) => {
            ctx.strokeStyle = theme.grid;
            ctx.lineWidth = px(1);
            for (let i = 1; i < n; i++) {
              const y = Math.round(laneTop(u, i));
              ctx.beginPath();
              ctx.moveTo(u.bbox.left, y);
              ctx.lineTo(u.bbox.left + u.bbox.width, y);
              ctx.stroke();
            }
          });
          for (const f of t.faults) {
            const lane = laneOf.get(f.device) ?? 0;
            drawFaultShape(u, f, laneTop(u, lane) + px(5), laneBottom(u, lane) - px(3), true);
          }
        },
      ],
      draw: [
        (u) => {
          inPlot(u, (ctx) => {
            // Marks that would sit on one another (alerts of two rules clearing together) are drawn once, with a count.
            const drawn = new Map<string, { x: number; y: number; count: number }>();
            for (const m of marks) {
              const x = u.valToPos(m.atS, 'x', true);
              const y = laneTop(u, m.lane) + (laneBottom(u, m.lane) - laneTop(u, m.lane)) * m.at;
              const key = `${m.lane}/${m.at}/${m.shape}/${m.colour}/${Math.round(x / px(4))}`;
              const seen = drawn.get(key);
              if (seen) {
                seen.count++;
                continue;
              }
              drawn.set(key, { x, y, count: 1 });
              drawMarker(ctx, m.shape, x, y, m.shape === 'square' ? 8 : 10, m.colour, m.hollow);
            }
            ctx.fillStyle = theme.text;
            ctx.font = `600 ${px(9)}px system-ui, sans-serif`;
            ctx.textAlign = 'left';
            ctx.textBaseline = 'middle';
            for (const { x, y, count } of drawn.values()) if (count > 1) ctx.fillText(`×${count}`, x + px(6), y - px(4));
          });
          el.dataset.drawn = 'true';
        },
      ],
      setCursor: [
        (u) => {
          const { left, top } = u.cursor;
          if (left === undefined || top === undefined || left < 0) {
            tip.style.display = 'none';
            return;
          }
          const text = hit(u, left, top);
          tip.style.display = text ? 'block' : 'none';
          if (!text) return;
          tip.textContent = text;
          const flip = left > u.over.clientWidth / 2;
          tip.style.left = flip ? '' : `${left + 12}px`;
          tip.style.right = flip ? `${u.over.clientWidth - left + 12}px` : '';
          tip.style.top = `${Math.max(0, top - 10)}px`;
        },
      ],
    }),
  };

  /** The mark nearest the cursor (CSS px in the plot), else the fault in the cursor's lane, else nothing. */
  function hit(u: uPlot, left: number, top: number): string | undefined {
    const laneAt = Math.min(n - 1, Math.max(0, Math.floor((top / u.over.clientHeight) * n)));
    const near = marks.filter((m) => Math.hypot(u.valToPos(m.atS, 'x') - left, ((m.lane + m.at) / n) * u.over.clientHeight - top) < 9);
    if (near.length > 0) return near.map((m) => m.text).join('\n');
    const at = u.posToVal(left, 'x');
    const fault = t.faults.find((f) => (laneOf.get(f.device) ?? 0) === laneAt && at >= f.atS);
    return fault ? `fault ${fault.id} (${fault.type}${fault.sensor ? ` on ${fault.sensor}` : ''}): onset ${formatSimS(fault.atS)}, full severity ${formatSimS(fault.fullAtS)}` : undefined;
  }

  const chart = new uPlot(opts, [[0, t.endS]], el);
  chart.over.appendChild(tip);
  return chart;
}

function ellipsis(text: string, max: number): string {
  return text.length > max ? `${text.slice(0, max - 1)}…` : text;
}
