import type { LiveReading } from './live-reading';

/** Units as an engineer reads them. */
export function unitLabel(unit: string): string {
  return unit === 'degC' ? '°C' : unit === 'pct' || unit === '%' ? '%' : unit === 'pctRH' ? '%RH' : unit;
}

/**
 * The value an engineer expects first for a sensor: vibration (unit g with a spectrum's features) as RMS and peak;
 * a slow or DC signal (temperature, humidity, belt speed, power) as its mean. Digits follow the magnitude.
 */
export function headline(r: LiveReading): { value: number; text: string } {
  const f = r.features;
  const unit = unitLabel(r.unit);
  if (f.mean !== undefined && r.unit !== 'g') return { value: f.mean, text: `${fixed(f.mean)} ${unit}` };
  // An IMU axis: its level (gravity's share, about 1 g vertical at rest) first, then how much it shakes.
  if (f.dc !== undefined) return { value: f.dc, text: `mean ${fixed(f.dc)} ${unit} · RMS ${fixed(f.rms ?? 0)} ${unit}` };
  const rms = f.rms ?? 0;
  return { value: rms, text: `RMS ${fixed(rms)} ${unit} · peak ${fixed(f.peak ?? 0)} ${unit}` };
}

export function fixed(x: number): string {
  const a = Math.abs(x);
  return x.toFixed(a >= 100 ? 0 : a >= 10 ? 1 : a >= 1 ? 2 : a >= 0.01 ? 3 : 4);
}
