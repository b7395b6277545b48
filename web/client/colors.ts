/** Machine colour for a feature value relative to its alert threshold: green at 0, amber at half, red at the threshold. */
export function severityColor(value: number, threshold: number): { r: number; g: number; b: number } {
  const x = Math.max(0, Math.min(1, threshold > 0 ? value / threshold : 0));
  const green = { r: 0.18, g: 0.72, b: 0.35 };
  const amber = { r: 0.95, g: 0.7, b: 0.15 };
  const red = { r: 0.9, g: 0.18, b: 0.15 };
  const [from, to, t] = x < 0.5 ? [green, amber, x / 0.5] : [amber, red, (x - 0.5) / 0.5];
  return { r: from.r + (to.r - from.r) * t, g: from.g + (to.g - from.g) * t, b: from.b + (to.b - from.b) * t };
}
