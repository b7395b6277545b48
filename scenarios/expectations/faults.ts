import { fullSeverityAtS, isActive } from '../../twins';
import type { Scenario } from '../schema';
import { faultIds } from '../timeline';

type Fault = Scenario['faults'][number];

/** A fault of the scenario with its id (its own, or `<device>/<type>`, see faultIds). */
export interface IdentifiedFault {
  id: string;
  fault: Fault;
}

/** Every fault with its id, in onset order (scenario order among equal onsets). */
export function identifiedFaults(scenario: Scenario): IdentifiedFault[] {
  const ids = faultIds(scenario);
  return scenario.faults.map((fault, i) => ({ id: ids[i]!, fault })).sort((a, b) => a.fault.atS - b.fault.atS);
}

/** The faults of one device, in onset order. */
export function faultsOf(scenario: Scenario, device: string): IdentifiedFault[] {
  return identifiedFaults(scenario).filter((f) => f.fault.device === device);
}

/** Whether any fault of `device` is on at run second `atS`. */
export function faultActive(scenario: Scenario, device: string, atS: number): boolean {
  return scenario.faults.some((f) => f.device === device && isActive(atS, f));
}

export { fullSeverityAtS };
