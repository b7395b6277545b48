// The hall the page draws: which machines stand where, as the scenario describes them. Platform-free: the server
// builds it from the scenario and the browser lays it out and draws it.
import type { BearingOrders } from '../../protocol/bearing-orders';
import type { PickPlacePath } from '../../protocol/pick-place-path';

/** The machine models the page draws; a template it has no model for is drawn as a generic cabinet. */
export const MACHINE_KINDS = ['pump', 'fan', 'conveyor', 'robot-arm', 'environment', 'other'] as const;
export type MachineKind = (typeof MACHINE_KINDS)[number];

export interface SiteMachine {
  device: string;
  /** The twin's template, or `other` (hardware, or a template without a model). */
  kind: MachineKind;
  /** Where the scenario's `layout:` puts it, metres on the floor; absent: the page lays the hall out. */
  position?: { x: number; z: number; rotationDeg?: number };
  /** Nominal shaft speed (pumps, fans), for the shaft's spin until a reading says otherwise. */
  speedRpm?: number;
  /** Belt speed (conveyors), m/s. */
  beltSpeedMS?: number;
  /** The pick-and-place cell's nominal path (robot arms): the drawn arm follows it at the hall's event time. */
  arm?: PickPlacePath;
  /** The sensors it publishes. */
  sensors: string[];
  /** Bearing defect frequencies as multiples of shaft speed (pumps, fans): the spectrum panel marks them. */
  bearingOrders?: BearingOrders;
  /** Housing resonance that bearing impacts ring, Hz (pumps, fans): the centre of the envelope's demodulation band. */
  resonanceHz?: number;
}

export interface SiteLayout {
  site: string;
  /** When the run's event time began, ms since the Unix epoch: a twin's path is timed from here. */
  startMs?: number;
  machines: SiteMachine[];
}
