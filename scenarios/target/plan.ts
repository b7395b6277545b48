import { ConfigError, configErrorAt } from '../../protocol';
import type { Judged } from '../expectations';
import { CLOUD_STEP, systemPart, type Expectation, type Scenario } from '../schema';
import { METRICS, thresholdChecks, type MetricNeed, type ThresholdCheck } from '../thresholds';
import { hardwareRefusals } from '../hardware/hardware-plan';
import type { Target } from './target-schema';

/** An expectation as the run will treat it: judged, or skipped with the target's reason. */
export interface PlannedExpectation {
  /** Its index under `expect:`, or, for a threshold condition, its index among the thresholds' conditions. */
  index: number;
  /** A scenario expectation, or one condition of its `thresholds:` (type `threshold`). */
  expectation: Judged;
  /** Why the target does not judge it (from its `skip:` list). */
  skipped?: string;
}

interface Refusal {
  path: (string | number)[];
  message: string;
}

/**
 * Decides before anything starts which expectations the target can judge from what it observes. One it cannot
 * judge is refused (a ConfigError naming the scenario's field, exit 2) unless the target lists it under `skip:`
 * with a reason: never a silent pass. Scenario settings the target cannot honour are refused the same way.
 */
export function planRun(scenario: Scenario, target: Target, where: { targetName: string; file?: string; source?: string; replay?: boolean }): PlannedExpectation[] {
  const refusals: Refusal[] = [];
  const planned: PlannedExpectation[] = [];
  scenario.expect.forEach((expectation, index) => {
    const skip = target.skip.find((s) => s.expectation === expectation.type && (s.device === undefined || ('device' in expectation && s.device === expectation.device)));
    if (skip) {
      planned.push({ index, expectation, skipped: skip.reason });
      return;
    }
    const why = whyNot(expectation, scenario, target);
    if (why) {
      refusals.push({
        path: ['expect', index, why.field],
        message: target.kind === 'embedded' ? why.message : `${where.targetName} cannot judge "${expectation.type}": ${why.message}; list it under skip: in the target, with a reason, to run without it`,
      });
    }
    planned.push({ index, expectation });
  });
  thresholdChecks(scenario).forEach((check, index) => {
    const skip = target.skip.find(
      (s) => s.expectation === 'threshold' && (s.metric === undefined || s.metric === check.metric) && (s.device === undefined || s.device === check.tags.device),
    );
    if (skip) {
      planned.push({ index, expectation: check, skipped: skip.reason });
      return;
    }
    const why = whyNotMeasure(check, scenario, target);
    if (why) {
      refusals.push({
        path: ['thresholds', check.key],
        message:
          target.kind === 'embedded'
            ? why
            : `${where.targetName} cannot measure ${check.metric}: ${why}; list it under skip: in the target (expectation: threshold, metric: ${check.metric}), with a reason, to run without it`,
      });
    }
    planned.push({ index, expectation: check });
  });
  if (target.kind === 'mqtt') {
    scenario.steps.forEach((step, i) => {
      const part = systemPart(scenario, step.device);
      if (part !== undefined) {
        const what = part === CLOUD_STEP ? 'cloud' : 'gateway';
        refusals.push({ path: ['steps', i, 'device'], message: `${where.targetName} is not twinbed's ${what}: a ${what} step runs only against the embedded target` });
      }
    });
    scenario.links.forEach((entry, i) => {
      if (entry.link !== 'twins->edge') {
        refusals.push({
          path: ['links', i, 'link'],
          message: `${entry.link} runs inside the system under test (${where.targetName}); only twins->edge is simulated here. Impair its uplink with \`twinbed proxy\` in front of its upstream broker`,
        });
      }
    });
  }
  refusals.push(...hardwareRefusals(scenario, target.hardware, where.targetName, { replay: where.replay === true }));
  if (refusals.length) {
    const file = where.file ?? '<scenario>';
    throw where.source ? configErrorAt(where.source, file, refusals) : new ConfigError(file, refusals.map((r) => ({ path: r.path.join('.'), message: r.message })));
  }
  return planned;
}

function whyNot(expectation: Expectation, scenario: Scenario, target: Target): { field: string; message: string } | undefined {
  switch (expectation.type) {
    case 'alert':
    case 'no-alert': {
      const why = lacks('alerts', scenario, target);
      if (why) return { field: 'type', message: target.kind === 'embedded' ? `"${expectation.type}" ${why}` : why };
      const blind = expectation.kind === 'any' ? undefined : lacks('alerts', scenario, target, expectation.kind);
      if (blind) return { field: 'kind', message: blind };
      const unnamed = expectation.rule !== undefined && target.kind === 'mqtt' ? target.observe.topics.find((t) => t.as === 'alert' && t.fields.rule === undefined) : undefined;
      return unnamed ? { field: 'rule', message: `observe topic "${unnamed.filter}" has no fields.rule, so its alerts carry no rule to match` } : undefined;
    }
    case 'stored-exactly-once': {
      const why = lacks('held', scenario, target);
      return why ? { field: 'type', message: why } : undefined;
    }
    case 'command':
      // Judged on the commands the twins received: every target has them.
      return undefined;
    case 'no-loss':
      return expectation.link === 'edge->cloud' && target.kind === 'mqtt' ? { field: 'link', message: EDGE_CLOUD_INSIDE } : undefined;
    case 'rollout':
      if (target.kind === 'embedded') {
        return scenario.cloud?.models ? undefined : { field: 'type', message: '"rollout" needs cloud: { models: true }: without it the embedded cloud trains and rolls out no model' };
      }
      return target.observe.topics.some((t) => t.as === 'rollout')
        ? undefined
        : { field: 'type', message: 'its observe: section maps no topic `as: rollout` (a twinbed cloud publishes them on twinbed-cloud/v1/rollout/+)' };
    case 'reply':
      // The embedded gateways' replies are observed by the built-in observation.
      if (target.kind === 'embedded' || target.observe.topics.some((t) => t.as === 'reply')) return undefined;
      return { field: 'type', message: 'its observe: section maps no topic `as: reply`' };
  }
}

const EDGE_CLOUD_INSIDE = 'edge->cloud runs inside the system under test, where twinbed neither simulates the link nor sees what the edge acknowledged';

/** Why the target cannot give a threshold's metric, or undefined when it can. */
function whyNotMeasure(check: ThresholdCheck, scenario: Scenario, target: Target): string | undefined {
  const spec = METRICS[check.metric];
  if (!(spec.targets as readonly string[]).includes(target.kind)) return `${check.metric} is measured on the embedded target only (${spec.measured})`;
  if (check.tags.link === 'edge->cloud' && target.kind === 'mqtt') return EDGE_CLOUD_INSIDE;
  // Loss on the devices' link is judged on the twins' own acknowledgements: nothing from the system needed.
  const needs: readonly MetricNeed[] = check.metric === 'qos1_lost' && check.tags.link === 'twins->edge' ? [] : spec.needs;
  for (const need of needs) {
    const why = lacks(need, scenario, target, check.tags.kind as 'alert' | 'anomaly' | undefined);
    if (why) return target.kind === 'embedded' ? `${check.metric} ${why}` : why;
  }
  return undefined;
}

/** What the target lacks to give `need`, in words, or undefined. */
function lacks(need: MetricNeed, scenario: Scenario, target: Target, kind?: 'alert' | 'anomaly'): string | undefined {
  if (target.kind === 'embedded') {
    if (need !== 'alerts') return undefined;
    const gateway = scenario.gateway;
    if (scenario.rules.length === 0 && !gateway?.rules.length && !gateway?.anomaly) return 'needs at least one alert rule under rules: (or gateway.rules, or a gateway.anomaly model)';
    return undefined;
  }
  const readings = target.observe.topics.filter((t) => t.as === 'reading');
  switch (need) {
    case 'embedded':
      return 'it is twinbed\'s own gateway\'s figure';
    case 'alerts': {
      const alerts = target.observe.topics.filter((t) => t.as === 'alert');
      if (alerts.length === 0) return 'its observe: section maps no topic `as: alert`';
      const blind = kind ? alerts.find((t) => t.fields.kind === undefined) : undefined;
      if (blind) return `it cannot tell alerts from anomalies: observe topic "${blind.filter}" has no fields.kind`;
      return undefined;
    }
    case 'held': {
      if (target.store) return undefined;
      if (readings.length === 0) return 'it declares no store: query and its observe: section maps no topic `as: reading`';
      const unkeyed = readings.find((t) => t.fields.seq === undefined);
      if (unkeyed) return `observe topic "${unkeyed.filter}" has no fields.seq, so copies and gaps cannot be told apart, and it declares no store: query`;
      return undefined;
    }
    case 'keyed-readings': {
      if (readings.length === 0) return 'its observe: section maps no topic `as: reading`';
      const unkeyed = readings.find((t) => t.fields.seq === undefined);
      if (unkeyed) return `observe topic "${unkeyed.filter}" has no fields.seq, so a copy cannot be told from a new reading`;
      return undefined;
    }
    case 'readings':
      return readings.length === 0 ? 'its observe: section maps no topic `as: reading`, so nothing upstream is counted' : undefined;
  }
}
