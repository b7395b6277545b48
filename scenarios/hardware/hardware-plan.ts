import type { HardwareBinding } from './hardware-schema';

/** The parts of a scenario a hardware binding constrains. */
interface ScenarioPart {
  timeScale: number | 'max';
  twins: readonly { id: string }[];
  faults: readonly { device: string }[];
}

/**
 * What a scenario asks that bound hardware cannot do, each on the scenario field it is about: hardware runs in real
 * time, must stand for one of the scenario's twins, and a real machine takes no injected fault (a replay injects
 * none either: its faults are the recording's, so they stand; a bound twin's recorded truth is not replayed).
 */
export function hardwareRefusals(
  scenario: ScenarioPart,
  bindings: readonly HardwareBinding[] | undefined,
  targetName: string,
  options: { replay?: boolean } = {},
): { path: (string | number)[]; message: string }[] {
  if (!bindings?.length) return [];
  const refusals: { path: (string | number)[]; message: string }[] = [];
  const bound = new Set(bindings.map((b) => b.device));
  const twins = scenario.twins.map((t) => t.id);
  for (const binding of bindings) {
    if (!twins.includes(binding.device)) {
      refusals.push({ path: ['twins'], message: `the target (${targetName}) binds "${binding.device}" to hardware, but this scenario has no such twin (twins: ${twins.join(', ')})` });
    }
  }
  if (scenario.timeScale !== 1) {
    refusals.push({
      path: ['timeScale'],
      message: `the target (${targetName}) binds ${[...bound].join(', ')} to hardware, which runs in real time: ${options.replay ? 'replay with --speed 1' : 'set timeScale: 1'} (it is ${scenario.timeScale})`,
    });
  }
  scenario.faults.forEach((fault, i) => {
    if (bound.has(fault.device) && !options.replay) {
      refusals.push({
        path: ['faults', i, 'device'],
        message: `${fault.device} is bound to hardware (target: ${targetName}): a fault cannot be injected into a real machine; command it with steps: instead`,
      });
    }
  });
  return refusals;
}
