import { bearingOrders, type BearingGeometry } from '../protocol';
import type { Scenario } from '../scenarios';
import { MACHINE_KINDS, type MachineKind, type SiteLayout } from '../web';

/** The hall the demo page draws, from the scenario's twins: kind, nominal rates and enabled sensors of each. */
export function siteOf(scenario: Scenario): SiteLayout {
  return {
    site: scenario.site,
    startMs: Date.parse(scenario.startTime),
    machines: scenario.twins.map((twin) => {
      const t = twin as { id: string; template: string; speedRpm?: number; speedMS?: number; cycleS?: number; dwellS?: number; pickM?: [number, number, number]; placeM?: [number, number, number]; liftM?: number; sensors?: Record<string, { enabled?: boolean }>; bearing?: BearingGeometry; resonance?: { naturalHz: number } };
      const kind = (MACHINE_KINDS as readonly string[]).includes(t.template) ? (t.template as MachineKind) : 'other';
      return {
        device: t.id,
        kind,
        ...(t.speedRpm !== undefined ? { speedRpm: t.speedRpm } : {}),
        ...(t.speedMS !== undefined ? { beltSpeedMS: t.speedMS } : {}),
        ...(t.cycleS !== undefined && t.dwellS !== undefined && t.pickM && t.placeM && t.liftM !== undefined
          ? { arm: { cycleS: t.cycleS, dwellS: t.dwellS, pickM: t.pickM, placeM: t.placeM, liftM: t.liftM } }
          : {}),
        sensors: Object.entries(t.sensors ?? {})
          .filter(([, spec]) => spec.enabled !== false)
          .map(([name]) => name),
        ...(scenario.layout[t.id] ? { position: scenario.layout[t.id] } : {}),
        ...(t.bearing ? { bearingOrders: bearingOrders(t.bearing) } : {}),
        ...(t.resonance ? { resonanceHz: t.resonance.naturalHz } : {}),
      };
    }),
  };
}

/** The scenario's faults as the page marks and counts them: device, type and onset in event time. */
export function faultsOf(scenario: Scenario, startMs: number): { device: string; type: string; atMs: number }[] {
  return scenario.faults.map((f) => ({ device: f.device, type: f.type, atMs: startMs + f.atS * 1000 }));
}
