// Generates every channel of a subset of a factory's machines for `seconds` of simulated time, discarding the samples.
import { parentPort, workerData } from 'node:worker_threads';
import { loadScenario } from '../scenarios';
import { RandomStreams } from '../sim';
import { createMachines, MachineReader } from '../twins';

const { file, devices, seconds } = workerData as { file: string; devices: string[]; seconds: number };
const scenario = await loadScenario(file);
const subset = { ...scenario, twins: scenario.twins.filter((t) => devices.includes(t.id)) };
// Streams are named by device, so a subset draws the same numbers it would in the whole factory.
const machines = await createMachines(subset, new RandomStreams(scenario.seed));
const started = performance.now();
let samples = 0;
// Machine by machine, each one's channels in lockstep second by second (they share bounded histories).
for (const machine of machines) {
  const reader = new MachineReader(machine);
  for (let second = 1; second <= seconds; second++) for (const { block } of reader.blocksUntil(second)) samples += block.values.length;
  machine.dispose?.();
}
parentPort!.postMessage({ samples, ms: performance.now() - started });
