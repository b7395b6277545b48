import { sensorsOf } from '../../twins';
import { didYouMean } from '../expectations/suggest';
import type { Scenario } from '../schema';
import { faultIds } from '../timeline';
import { isMetricName, LINK_NAMES, METRIC_NAMES, METRICS, type MetricName, type TagName } from './catalogue';
import { parseCondition, parseMetricKey, type Condition } from './syntax';

/** One condition of one threshold key, parsed: what the run judges and reports as one entry. */
export interface ThresholdCheck {
  type: 'threshold';
  /** The key as written in the scenario, e.g. `detection_delay_s{device:pump-1}`. */
  key: string;
  metric: MetricName;
  tags: Readonly<Partial<Record<TagName, string>>>;
  condition: Condition;
}

/** A problem with a name or a condition in `thresholds:`, at the path of its key (or of the condition). */
export interface ThresholdProblem {
  path: (string | number)[];
  message: string;
}

/** The scenario's thresholds as checks, in file order; call on a validated scenario (the schema refuses bad ones). */
export function thresholdChecks(scenario: Scenario): ThresholdCheck[] {
  const checks: ThresholdCheck[] = [];
  for (const [key, conditions] of Object.entries(scenario.thresholds)) {
    const parsed = parseMetricKey(key);
    if ('error' in parsed || !isMetricName(parsed.metric)) throw new Error(`threshold "${key}" did not validate`);
    for (const text of conditions) {
      const condition = parseCondition(text);
      if ('error' in condition) throw new Error(`threshold "${key}": ${condition.error}`);
      checks.push({ type: 'threshold', key, metric: parsed.metric, tags: parsed.tags as Partial<Record<TagName, string>>, condition });
    }
  }
  return checks;
}

/** How reports name a threshold: `action_latency_ms p(99)<50`. */
export function thresholdName(check: Pick<ThresholdCheck, 'key' | 'condition'>): string {
  return `${check.key} ${check.condition.source}`;
}

/**
 * Checks every name and condition in `thresholds:` against the scenario and the metric catalogue: metric names, tag
 * names, tag values (devices, sensors, links, kinds, fault ids), and each condition's grammar and aggregation. A
 * misspelt name comes back with the nearest valid one.
 */
export function thresholdProblems(scenario: Scenario): ThresholdProblem[] {
  const problems: ThresholdProblem[] = [];
  for (const [key, conditions] of Object.entries(scenario.thresholds)) {
    const at = ['thresholds', key];
    const parsed = parseMetricKey(key);
    if ('error' in parsed) {
      problems.push({ path: at, message: parsed.error });
      continue;
    }
    if (!isMetricName(parsed.metric)) {
      problems.push({ path: at, message: `unknown metric "${parsed.metric}"${didYouMean(parsed.metric, METRIC_NAMES, 'metrics')}` });
      continue;
    }
    const metric = parsed.metric;
    for (const problem of tagProblems(scenario, metric, parsed.tags)) problems.push({ path: at, message: problem });
    conditions.forEach((text, i) => {
      const problem = conditionProblem(metric, text);
      if (problem) problems.push({ path: [...at, i], message: problem });
    });
  }
  return problems;
}

function tagProblems(scenario: Scenario, metric: MetricName, tags: Record<string, string>): string[] {
  const spec = METRICS[metric];
  const allowed: readonly string[] = spec.tags;
  const problems: string[] = [];
  const twins = scenario.twins.map((t) => t.id);
  const ids = faultIds(scenario);
  for (const [tag, value] of Object.entries(tags)) {
    if (!allowed.includes(tag)) {
      problems.push(allowed.length ? `${metric} has no tag "${tag}"${didYouMean(tag, allowed, 'its tags')}` : `${metric} takes no tags`);
      continue;
    }
    switch (tag as TagName) {
      case 'device':
        if (!twins.includes(value)) problems.push(`no twin named "${value}"${didYouMean(value, twins, 'twins')}`);
        break;
      case 'sensor': {
        const twin = scenario.twins.find((t) => t.id === tags.device);
        const sensors = [...new Set(twin ? sensorsOf(twin) : scenario.twins.flatMap(sensorsOf))];
        if (!sensors.includes(value)) problems.push(`no twin${twin ? ` ${twin.id}` : ''} has a sensor "${value}"${didYouMean(value, sensors, 'sensors')}`);
        break;
      }
      case 'link':
        if (!LINK_NAMES.includes(value)) problems.push(`unknown link "${value}"${didYouMean(value, LINK_NAMES, 'links')}`);
        break;
      case 'kind':
        if (value !== 'alert' && value !== 'anomaly') problems.push(`unknown kind "${value}"${didYouMean(value, ['alert', 'anomaly'], 'kinds')}`);
        break;
      case 'fault': {
        const index = ids.indexOf(value);
        if (index < 0) problems.push(`no fault with id "${value}"${didYouMean(value, ids, 'faults')}`);
        else if (tags.device !== undefined && scenario.faults[index]!.device !== tags.device) problems.push(`fault "${value}" is on ${scenario.faults[index]!.device}, not ${tags.device}`);
        break;
      }
      case 'action':
        break;
    }
  }
  const declared = [...new Set(scenario.links.map((l) => l.link))];
  if (metric === 'link_latency_ms') {
    const link = tags.link;
    if (link !== undefined && LINK_NAMES.includes(link) && !declared.includes(link)) {
      problems.push(`${link} is not simulated in this scenario (no links: entry for it), so it has no latency to measure; add one, e.g. { link: ${link}, atS: 0, latencyMs: 20 }`);
    }
    if (link === undefined && declared.length === 0) problems.push('the scenario simulates no link (links:), so there is no link latency to measure');
    if (link === undefined && declared.length > 1) problems.push(`the scenario simulates ${declared.join(' and ')}: name one, e.g. link_latency_ms{link:${declared[0]}}`);
  }
  if (metric === 'edge_to_cloud_latency_ms' && !declared.includes('edge->cloud')) {
    problems.push(
      'edge_to_cloud_latency_ms is the delay drawn on the simulated edge->cloud link, and this scenario does not simulate it; add { link: edge->cloud, atS: 0, latencyMs: 20 } under links:',
    );
  }
  return problems;
}

function conditionProblem(metric: MetricName, text: string): string | undefined {
  const spec = METRICS[metric];
  const condition = parseCondition(text);
  if ('error' in condition) return condition.error;
  if (spec.shape === 'value' && condition.aggregation !== 'value') {
    return `${metric} is a single value, not a distribution: write the operator and the number alone, e.g. '${condition.op}${condition.limit}'`;
  }
  if (spec.shape === 'distribution' && condition.aggregation === 'value') {
    return `${metric} is a distribution: say which aggregation, e.g. 'p(95)${condition.op}${condition.limit}' or 'max${condition.op}${condition.limit}' (p(N), avg, min, max, med, count)`;
  }
  const kept: readonly string[] | undefined = 'aggregations' in spec ? spec.aggregations : undefined;
  if (kept && !kept.includes(condition.aggregation)) return `${metric} keeps only ${kept.join(', ')}, not ${condition.aggregation}`;
  return undefined;
}
