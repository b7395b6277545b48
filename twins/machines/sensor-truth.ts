import type { TruthFault } from '../../protocol';
import type { SensorFaultConfig } from '../sensor';
import { isActive, severityAt } from '../severity';

/** Sensor faults active at tS, as ground truth naming their sensor. */
export function sensorTruth(faults: readonly SensorFaultConfig[], tS: number): TruthFault[] {
  const truth: TruthFault[] = [];
  for (const f of faults) {
    if (isActive(tS, f)) truth.push({ fault: f.type, sensor: f.sensor, severity: severityAt(tS, f) });
  }
  return truth;
}
