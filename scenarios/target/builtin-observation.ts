import { filters } from '../../protocol';
import { ObserveSchema, type Observe } from './observe-schema';

/**
 * How twinbed's own stack is observed: its upstream broker's events (edge alerts and anomalies, cloud alerts and
 * drift), feature windows, the gateways' replies to commands and the cloud's retained rollout statuses, read off the
 * wire like any other system's. `scenarios/targets/external.yaml` spells out the same
 * mapping for a twinbed gateway run as a black box.
 */
export const TWINBED_OBSERVATION: Observe = ObserveSchema.parse({
  clientId: 'twinbed-observer',
  topics: [
    {
      filter: filters.event(),
      as: 'alert',
      fields: { device: 'device', sensor: 'sensor', time: 'tsMs', kind: 'kind', state: 'state', severity: 'severity', rule: 'rule', message: 'message', value: 'value', threshold: 'threshold' },
    },
    { filter: filters.features(), as: 'reading', fields: { device: 'device', sensor: 'sensor', seq: 'seq', count: 'blocks', time: 'tsMs', features: 'features' } },
    { filter: filters.reply(), as: 'reply' },
    { filter: filters.rollout(), as: 'rollout' },
  ],
});
