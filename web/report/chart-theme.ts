// Chart colours come from the stylesheet's custom properties, so a chart matches the page in light and dark mode.

export interface ChartTheme {
  background: string;
  text: string;
  muted: string;
  grid: string;
  series: string;
  threshold: string;
  fault: string;
  alert: string;
  anomaly: string;
  cleared: string;
  command: string;
  step: string;
  font: string;
}

let cached: ChartTheme | undefined;

export function chartTheme(): ChartTheme {
  if (cached) return cached;
  const style = getComputedStyle(document.documentElement);
  const v = (name: string, fallback: string) => style.getPropertyValue(name).trim() || fallback;
  cached = {
    background: v('--bg-card', '#ffffff'),
    text: v('--fg', '#1f2328'),
    muted: v('--fg-muted', '#656d76'),
    grid: v('--chart-grid', 'rgba(128,128,128,0.16)'),
    series: v('--c-series', '#0969da'),
    threshold: v('--c-threshold', '#cf222e'),
    fault: v('--c-fault', '#e16f24'),
    alert: v('--c-alert', '#cf222e'),
    anomaly: v('--c-anomaly', '#8250df'),
    cleared: v('--c-cleared', '#1a7f37'),
    command: v('--c-command', '#0969da'),
    step: v('--c-step', '#6e7781'),
    font: '11px system-ui, -apple-system, "Segoe UI", Roboto, sans-serif',
  };
  return cached;
}

/** `#rrggbb` (or any CSS colour the canvas accepts) at an opacity, for fills. */
export function withAlpha(colour: string, alpha: number): string {
  const hex = /^#([0-9a-f]{6})$/i.exec(colour)?.[1];
  if (!hex) return colour;
  const n = parseInt(hex, 16);
  return `rgba(${(n >> 16) & 255}, ${(n >> 8) & 255}, ${n & 255}, ${alpha})`;
}
