import type { StackControl } from '../scenarios';
import type { DemoControls } from '../web';

/** The page's demo controls over the running stack: each one a scenario step or link change the stack records. */
export function demoControls(control: StackControl, startMs: number): DemoControls {
  return {
    fault: async (device, fault) => {
      const { outcome, atS } = control.fault(device, fault);
      return { outcome, atMs: startMs + atS * 1000 };
    },
    operate: async (device, change) => control.set(device, change).outcome,
    impair: async (link, { lossPct, latencyMs, partitioned }) => {
      if (partitioned === true) control.partition(link);
      else if (partitioned === false) control.heal(link);
      if (lossPct !== undefined || latencyMs !== undefined) control.storm(link, { ...(lossPct !== undefined ? { lossPct } : {}), ...(latencyMs !== undefined ? { latencyMs } : {}) });
    },
    links: () => control.links(),
    pace: ({ paused, timeScale }) => {
      if (timeScale !== undefined) control.timeScale(timeScale);
      if (paused === true) control.pause();
      else if (paused === false) control.resume();
    },
    saved: () => ({ steps: control.steps(), links: control.linkEntries() }),
    scenario: () => control.scenario(),
  };
}
