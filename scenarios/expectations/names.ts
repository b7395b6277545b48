import { pipelineFor, type PipelineConfig } from '../../gateway';
import { sensorsOf } from '../../twins';
import type { Scenario } from '../schema';
import { thresholdProblems } from '../thresholds/checks';
import { faultIds } from '../timeline';
import { didYouMean } from './suggest';

type Twin = Scenario['twins'][number];

/** The one gateway's id when a scenario has no `gateways:` (the gateway config's default). */
export const DEFAULT_GATEWAY_ID = 'gw-1';

/** The run's gateway ids: those of `gateways:`, or the one gateway's. */
export function gatewayIdsOf(scenario: Pick<Scenario, 'gateways'>): string[] {
  return scenario.gateways?.map((g) => g.id) ?? [DEFAULT_GATEWAY_ID];
}

/** A misspelt or dangling name in a scenario, at the path of its field. */
export interface NameProblem {
  path: (string | number)[];
  message: string;
}

/** A sensor stream as the gateway sees its first block: the unit and rate that choose its default pipeline. */
export interface SensorStream {
  sensor: string;
  unit: string;
  rateHz: number;
}

// The unit each template's sensors publish in (their measurands' `unit`); a unit test builds every template and
// compares, so this cannot drift from the twins. Only `g` changes the gateway's default pipeline.
const UNITS: Readonly<Record<string, string>> = {
  accel: 'g',
  'winding-temp': 'degC',
  'bearing-temp': 'degC',
  'imu-ax': 'g',
  'imu-ay': 'g',
  'imu-az': 'g',
  'imu-gx': 'deg/s',
  'imu-gy': 'deg/s',
  'imu-gz': 'deg/s',
  'belt-speed': 'm/s',
  'ambient-temp': 'degC',
  humidity: '%RH',
  power: 'kW',
};

/** The enabled sensors of a twin with their unit and configured rate. */
export function sensorStreams(twin: Twin): SensorStream[] {
  const specs = twin.sensors as Record<string, { rateHz: number }>;
  return sensorsOf(twin).map((sensor) => ({ sensor, unit: UNITS[sensor] ?? '', rateHz: specs[sensor]!.rateHz }));
}

/**
 * The feature names a pipeline's windows carry, as gateway/dsp's WindowAnalyzer writes them: rms, peak and crest
 * always, the configured stats, the deadband's statistic, `band<lo>_<hi>Hz` per band, `peak<i>Hz`/`peak<i>Amp` per
 * peak, shaftHz with the envelope orders envBpfo, envBpfi, envBsf, envFtf, and dc when asked for.
 */
export function featureNames(pipeline: PipelineConfig): string[] {
  const { features, deadband } = pipeline;
  const names = new Set<string>(['rms', 'peak', 'crest', ...features.stats]);
  if (deadband) names.add(deadband.feature);
  for (const [lo, hi] of features.bandsHz) names.add(`band${lo}_${hi}Hz`);
  for (let i = 1; i <= features.peaks; i++) names.add(`peak${i}Hz`).add(`peak${i}Amp`);
  if (features.envelope) for (const name of ['shaftHz', 'envBpfo', 'envBpfi', 'envBsf', 'envFtf']) names.add(name);
  if (features.dc) names.add('dc');
  return [...names];
}

/** The features the scenario's gateway computes for one device sensor (its declared pipeline, else the default). */
function featuresFor(scenario: Scenario, stream: SensorStream): string[] {
  return featureNames(pipelineFor(scenario.gateway?.pipelines ?? [], stream.sensor, stream));
}

/**
 * Every name a scenario uses that must match something else in it: rule metrics (cloud and gateway) against the
 * features the gateway's pipelines produce for the sensors each rule watches, rule sensors and devices, local action
 * triggers, anomaly sensors and inputs, the devices, gateways and fault ids expectations name, the gateways of the
 * cloud's drift rollout, and the thresholds' metrics and tags. Each problem carries the nearest valid name when one
 * is a letter or two away.
 */
export function scenarioNameProblems(scenario: Scenario): NameProblem[] {
  const problems: NameProblem[] = [];
  const twins = new Map(scenario.twins.map((t) => [t.id, t]));
  const twinIds = [...twins.keys()];
  const device = (id: string | undefined, path: (string | number)[]) => {
    if (id !== undefined && !twins.has(id)) problems.push({ path, message: `no twin named "${id}"${didYouMean(id, twinIds, 'twins')}` });
    return id === undefined || twins.has(id);
  };
  const ids = faultIds(scenario);

  const ruleNames = (rules: Scenario['rules'], at: (string | number)[]) =>
    rules.forEach((rule, i) => {
      if (!device(rule.device, [...at, i, 'device'])) return;
      const watched = rule.device ? [twins.get(rule.device)!] : scenario.twins;
      const sensors = [...new Set(watched.flatMap(sensorsOf))];
      if (rule.sensor !== undefined && !sensors.includes(rule.sensor)) {
        problems.push({ path: [...at, i, 'sensor'], message: `no twin${rule.device ? ` ${rule.device}` : ''} has a sensor "${rule.sensor}"${didYouMean(rule.sensor, sensors, 'sensors')}` });
        return;
      }
      const streams = watched.flatMap(sensorStreams).filter((s) => rule.sensor === undefined || s.sensor === rule.sensor);
      const features = [...new Set(streams.flatMap((s) => featuresFor(scenario, s)))];
      if (!features.includes(rule.metric)) {
        const of = rule.sensor ? `${rule.sensor}${rule.device ? ` on ${rule.device}` : ''}` : `any sensor${rule.device ? ` of ${rule.device}` : ''}`;
        problems.push({
          path: [...at, i, 'metric'],
          message: `no gateway pipeline computes "${rule.metric}" for ${of}, so this rule would never fire${didYouMean(rule.metric, features, 'features')}`,
        });
      }
    });
  ruleNames(scenario.rules, ['rules']);
  const gateway = scenario.gateway;
  if (gateway) {
    ruleNames(gateway.rules, ['gateway', 'rules']);
    const triggers = ['anomaly', ...gateway.rules.map((r) => r.name ?? `${r.metric} above ${r.above}`)];
    gateway.actions.forEach((action, i) => {
      if (!triggers.includes(action.on)) problems.push({ path: ['gateway', 'actions', i, 'on'], message: `no local rule named "${action.on}"${didYouMean(action.on, triggers, 'triggers')}` });
      device(action.device, ['gateway', 'actions', i, 'device']);
    });
    const sensors = [...new Set(scenario.twins.flatMap(sensorsOf))];
    gateway.anomaly?.sensors.forEach((sensor, i) => {
      if (!sensors.includes(sensor)) problems.push({ path: ['gateway', 'anomaly', 'sensors', i], message: `no twin has a sensor "${sensor}"${didYouMean(sensor, sensors, 'sensors')}` });
    });
    const inputs = gateway.anomaly?.inputs?.features;
    if (inputs && gateway.anomaly) {
      const streams = scenario.twins.flatMap(sensorStreams).filter((s) => gateway.anomaly!.sensors.includes(s.sensor));
      const features = [...new Set(streams.flatMap((s) => featuresFor(scenario, s)))];
      inputs.forEach((feature, i) => {
        if (streams.length && !features.includes(feature)) {
          problems.push({ path: ['gateway', 'anomaly', 'inputs', 'features', i], message: `no gateway pipeline computes "${feature}" for ${gateway.anomaly!.sensors.join(', ')}${didYouMean(feature, features, 'features')}` });
        }
      });
    }
  }

  const gatewayIds = gatewayIdsOf(scenario);
  const gatewayNamed = (id: string, path: (string | number)[]) => {
    if (!gatewayIds.includes(id)) problems.push({ path, message: `no gateway named "${id}"${didYouMean(id, gatewayIds, 'gateways')}` });
  };
  scenario.cloud?.drift?.rollout?.groups.forEach((group, i) => group.gateways?.forEach((id, j) => gatewayNamed(id, ['cloud', 'drift', 'rollout', 'groups', i, 'gateways', j])));

  scenario.expect.forEach((expectation, i) => {
    if (expectation.type === 'stored-exactly-once') return;
    if (expectation.type === 'rollout') {
      for (const id of Object.keys(expectation.gateways ?? {})) gatewayNamed(id, ['expect', i, 'gateways', id]);
      return;
    }
    if (expectation.type === 'reply') {
      // Gateways answer the cloud's commands; a twin may answer its own.
      if (!twins.has(expectation.device) && !gatewayIds.includes(expectation.device)) {
        const known = [...gatewayIds, ...twinIds];
        problems.push({ path: ['expect', i, 'device'], message: `no gateway or twin named "${expectation.device}"${didYouMean(expectation.device, known, 'gateways and twins')}` });
      }
      return;
    }
    if (!device(expectation.device, ['expect', i, 'device'])) return;
    if ((expectation.type === 'alert' || expectation.type === 'command') && expectation.fault !== undefined) {
      const index = ids.indexOf(expectation.fault);
      if (index < 0) problems.push({ path: ['expect', i, 'fault'], message: `no fault with id "${expectation.fault}"${didYouMean(expectation.fault, ids, 'faults')}` });
      else if (scenario.faults[index]!.device !== expectation.device) {
        problems.push({ path: ['expect', i, 'fault'], message: `fault "${expectation.fault}" is on ${scenario.faults[index]!.device}, not ${expectation.device}` });
      }
    }
  });

  for (const problem of thresholdProblems(scenario)) problems.push(problem);
  return problems;
}
