import type { AlertChange } from '../../protocol';

/** `alert`: a threshold-style rule; `anomaly`: a model score; `absent`: a silent or offline device. */
export type AlertKind = 'alert' | 'anomaly' | 'absent';

/** An alert state change (protocol's AlertChange) with the kind of rule that made it. */
export type RuleChange = AlertChange & { kind: AlertKind };

/** One value a rule judges: a record's feature (or score), or a window aggregate stamped with the window's end. */
export interface Observation {
  device: string;
  sensor: string;
  unit: string;
  tsMs: number;
  value: number;
  /** The scoring model's threshold, for anomaly rules. */
  scoreThreshold?: number;
}
