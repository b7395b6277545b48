import { ConfigError, configErrorAt } from '../../protocol';
import { GATEWAY_STEP, type Expectation, type Scenario } from '../schema';
import type { Target } from './target-schema';

/** An expectation as the run will treat it: judged, or skipped with the target's reason. */
export interface PlannedExpectation {
  index: number;
  expectation: Expectation;
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
export function planRun(scenario: Scenario, target: Target, where: { targetName: string; file?: string; source?: string }): PlannedExpectation[] {
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
  if (target.kind === 'mqtt') {
    scenario.steps.forEach((step, i) => {
      if (step.device === GATEWAY_STEP && !scenario.twins.some((t) => t.id === GATEWAY_STEP)) {
        refusals.push({ path: ['steps', i, 'device'], message: `${where.targetName} is not twinbed's gateway: a gateway step runs only against the embedded target` });
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
  if (refusals.length) {
    const file = where.file ?? '<scenario>';
    throw where.source ? configErrorAt(where.source, file, refusals) : new ConfigError(file, refusals.map((r) => ({ path: r.path.join('.'), message: r.message })));
  }
  return planned;
}

function whyNot(expectation: Expectation, scenario: Scenario, target: Target): { field: string; message: string } | undefined {
  if (target.kind === 'embedded') {
    if (expectation.type === 'stored-exactly-once') return undefined;
    const gateway = scenario.gateway;
    if (scenario.rules.length === 0 && !gateway?.rules.length && !gateway?.anomaly) {
      return { field: 'type', message: `"${expectation.type}" needs at least one alert rule under rules: (or gateway.rules, or a gateway.anomaly model)` };
    }
    return undefined;
  }
  const alerts = target.observe.topics.filter((t) => t.as === 'alert');
  switch (expectation.type) {
    case 'alert':
    case 'no-alert':
      if (alerts.length === 0) return { field: 'type', message: 'its observe: section maps no topic `as: alert`' };
      if (expectation.kind !== 'any') {
        const blind = alerts.find((t) => t.fields.kind === undefined);
        if (blind) return { field: 'kind', message: `it cannot tell alerts from anomalies: observe topic "${blind.filter}" has no fields.kind` };
      }
      return undefined;
    case 'stored-exactly-once': {
      if (target.store) return undefined;
      const readings = target.observe.topics.filter((t) => t.as === 'reading');
      if (readings.length === 0) return { field: 'type', message: 'it declares no store: query and its observe: section maps no topic `as: reading`' };
      const unkeyed = readings.find((t) => t.fields.seq === undefined);
      if (unkeyed) return { field: 'type', message: `observe topic "${unkeyed.filter}" has no fields.seq, so copies and gaps cannot be told apart, and it declares no store: query` };
      return undefined;
    }
  }
}
