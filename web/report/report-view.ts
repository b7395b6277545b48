// The report's data as the page draws it. The page reads the embedded JSON defensively: every field may be missing or
// of the wrong type (an errored attempt has no result, an older run has no timeline), and none of that may throw.
// Browser code: no Node imports, and no imports from scenarios/ (web/ sits before it); the shape mirrors
// scenarios/suite/suite-types.ts and scenarios/reporter.ts.

export type TestStatus = 'passed' | 'failed' | 'flaky' | 'timedOut' | 'errored' | 'interrupted';
export type AttemptStatus = 'passed' | 'failed' | 'timedOut' | 'errored';

/** Display order of statuses: what needs a look first. */
export const STATUS_ORDER: readonly TestStatus[] = ['failed', 'timedOut', 'errored', 'flaky', 'interrupted', 'passed'];

export interface ReportView {
  /** The data's format version; 0 when the page could not read it. */
  v: number;
  title: string;
  startedAt?: string;
  durationMs?: number;
  /** The suite's verdict and exit code, as the runner decided them. */
  status?: string;
  exitCode?: number;
  config: ConfigView;
  /** Tests per status, counted from the tests themselves so the filter chips match the list. */
  counts: Record<TestStatus, number>;
  tests: TestView[];
  /** What the page could not read, said once at the top instead of failing. */
  problems: string[];
}

export interface ConfigView {
  workers?: number;
  shard?: string;
  retries?: number;
  repeatEach?: number;
  timeoutS?: number;
  seed?: string;
  grep?: string;
  grepInvert?: string;
  patterns: string[];
}

export interface TestView {
  /** Unique in the page, safe in an id: `t<index>`. */
  key: string;
  id: string;
  title: string;
  file: string;
  line?: number;
  seed?: string;
  repeatIndex: number;
  status: TestStatus;
  /** Wall ms of all its attempts. */
  durationMs: number;
  attempts: AttemptView[];
}

export interface AttemptView {
  retry: number;
  status: AttemptStatus;
  durationMs?: number;
  error?: { message: string; stack?: string };
  result?: ResultView;
}

export interface ResultView {
  scenario: string;
  seed?: string;
  target?: string;
  passed?: boolean;
  simulatedS?: number;
  telemetrySha256?: string;
  expectations: ExpectationView[];
  stats: StatsView;
  wall: WallView;
  links: LinkView[];
  /** Undefined when the result carries none (a report from before timelines). */
  timeline?: TimelineView;
  reporterErrors: string[];
}

export interface ExpectationView {
  name: string;
  type: string;
  state: 'passed' | 'failed' | 'skipped';
  detail: string;
}

export interface StatsView {
  published?: number;
  acked?: number;
  stored?: number;
  windows?: number;
  duplicatesDropped?: number;
  deadLettered?: number;
  alerts?: number;
  commandsReceived?: number;
  qos1Published?: number;
  qos1Stored?: number;
  qos0Published?: number;
  qos0Lost?: number;
  droppedBySensors?: number;
  devicesConnected?: number;
  devicesFailed?: number;
  bandwidthReduction?: number;
}

export interface WallView {
  ms?: number;
  speedup?: number;
  connectP50Ms?: number;
  connectP99Ms?: number;
  pubackP50Ms?: number;
  pubackP99Ms?: number;
  pubackMaxMs?: number;
  actionLatencyP50Ms?: number;
  actionLatencyP99Ms?: number;
  settleHow?: string;
  settleWaitedMs?: number;
}

export interface LinkView {
  name: string;
  sent?: number;
  delivered?: number;
  lostQos0?: number;
  retransmittedQos1?: number;
  duplicated?: number;
  latencyP50Ms?: number;
  latencyP99Ms?: number;
}

export interface FaultView {
  id: string;
  device: string;
  type: string;
  sensor?: string;
  atS: number;
  /** Never before atS. */
  fullAtS: number;
}

export interface AlertView {
  device: string;
  sensor?: string;
  kind: 'alert' | 'anomaly';
  state: 'raised' | 'cleared';
  rule: string;
  atS: number;
}

export interface ActionView {
  device: string;
  action: string;
  atS: number;
  /** What the device did (steps only). */
  outcome?: string;
}

export interface SeriesView {
  device: string;
  sensor: string;
  metric: string;
  thresholds: number[];
  /** Simulated seconds, ascending, finite; ys the same length. */
  xs: number[];
  ys: number[];
}

export interface TimelineView {
  /** The run's simulated length, or the last thing seen in it; above 0. */
  endS: number;
  faults: FaultView[];
  alerts: AlertView[];
  commands: ActionView[];
  steps: ActionView[];
  series: SeriesView[];
}

type Obj = Record<string, unknown>;

const obj = (v: unknown): Obj => (v !== null && typeof v === 'object' && !Array.isArray(v) ? (v as Obj) : {});
const arr = (v: unknown): unknown[] => (Array.isArray(v) ? v : []);
const num = (v: unknown): number | undefined => (typeof v === 'number' && Number.isFinite(v) ? v : undefined);
const str = (v: unknown, fallback = ''): string => (typeof v === 'string' ? v : typeof v === 'number' || typeof v === 'boolean' ? String(v) : fallback);
const optStr = (v: unknown): string | undefined => (typeof v === 'string' || typeof v === 'number' ? String(v) : undefined);

/** Copies only the defined values, so optional fields stay absent under exactOptionalPropertyTypes-style reading. */
function defined<T extends object>(o: T): T {
  return Object.fromEntries(Object.entries(o).filter(([, v]) => v !== undefined)) as T;
}

const TEST_STATUSES = new Set<string>(STATUS_ORDER);
const ATTEMPT_STATUSES = new Set<string>(['passed', 'failed', 'timedOut', 'errored']);

export function readReport(raw: unknown): ReportView {
  const problems: string[] = [];
  const data = obj(raw);
  if (raw === undefined || Object.keys(data).length === 0) problems.push('The report carries no readable data.');
  const v = num(data.v) ?? 0;
  if (v > 1) problems.push(`This report's data is version ${v}; this page knows version 1 and may leave parts out.`);
  const summary = obj(data.summary);
  const rawResults = arr(data.results);
  if (data.results !== undefined && !Array.isArray(data.results)) problems.push('The report\'s results are not a list.');
  const tests = rawResults.map((r, i) => readTest(r, i));
  const counts = Object.fromEntries(STATUS_ORDER.map((s) => [s, 0])) as Record<TestStatus, number>;
  for (const t of tests) counts[t.status]++;
  return defined({
    v,
    title: str(data.title) || 'twinbed test report',
    startedAt: optStr(data.startedAt),
    durationMs: num(summary.durationMs),
    status: optStr(summary.status),
    exitCode: num(summary.exitCode),
    config: readConfig(data.config),
    counts,
    tests,
    problems,
  });
}

function readConfig(raw: unknown): ConfigView {
  const c = obj(raw);
  const shard = obj(c.shard);
  const current = num(shard.current);
  const total = num(shard.total);
  return defined({
    workers: num(c.workers),
    shard: current !== undefined && total !== undefined ? `${current}/${total}` : undefined,
    retries: num(c.retries),
    repeatEach: num(c.repeatEach),
    timeoutS: num(c.timeoutS),
    seed: optStr(c.seed),
    grep: optStr(c.grep),
    grepInvert: optStr(c.grepInvert),
    patterns: arr(c.patterns).map((p) => str(p)).filter(Boolean),
  });
}

function readTest(raw: unknown, index: number): TestView {
  const r = obj(raw);
  const test = obj(r.test);
  const attempts = arr(r.attempts).map((a, i) => readAttempt(a, i));
  const last = attempts[attempts.length - 1];
  const status: TestStatus = TEST_STATUSES.has(str(r.status)) ? (str(r.status) as TestStatus) : last ? (last.status === 'passed' ? 'passed' : last.status) : 'interrupted';
  const result = attempts.find((a) => a.result)?.result;
  const file = str(test.file) || result?.scenario || '';
  return defined({
    key: `t${index}`,
    id: str(test.id) || file || `test ${index + 1}`,
    title: str(test.title) || result?.scenario || file || `test ${index + 1}`,
    file,
    line: num(test.line),
    seed: optStr(test.seed) ?? result?.seed,
    repeatIndex: num(test.repeatIndex) ?? 0,
    status,
    durationMs: attempts.reduce((sum, a) => sum + (a.durationMs ?? 0), 0),
    attempts,
  });
}

function readAttempt(raw: unknown, index: number): AttemptView {
  const a = obj(raw);
  const error = obj(a.error);
  const result = a.result === undefined || a.result === null ? undefined : readResult(a.result);
  const rawStatus = str(a.status);
  const status: AttemptStatus = ATTEMPT_STATUSES.has(rawStatus) ? (rawStatus as AttemptStatus) : result?.passed === true ? 'passed' : result ? 'failed' : 'errored';
  return defined({
    retry: num(a.retry) ?? index,
    status,
    durationMs: num(a.durationMs) ?? result?.wall.ms,
    error: a.error !== undefined ? defined({ message: str(error.message) || str(a.error) || 'unknown error', stack: optStr(error.stack) }) : undefined,
    result,
  });
}

function readResult(raw: unknown): ResultView {
  const r = obj(raw);
  const stats = obj(r.stats);
  const qos1 = obj(stats.qos1);
  const qos0 = obj(stats.qos0);
  const devices = obj(stats.devices);
  const edge = obj(stats.edge);
  const wall = obj(r.wall);
  const settle = obj(wall.settle);
  const simulatedS = num(r.simulatedS);
  return defined({
    scenario: str(r.scenario),
    seed: optStr(r.seed),
    target: optStr(r.target),
    passed: typeof r.passed === 'boolean' ? r.passed : undefined,
    simulatedS,
    telemetrySha256: optStr(r.telemetrySha256),
    expectations: arr(r.expectations).map(readExpectation),
    stats: defined({
      published: num(stats.published),
      acked: num(stats.acked),
      stored: num(stats.stored),
      windows: num(stats.windows),
      duplicatesDropped: num(stats.duplicatesDropped),
      deadLettered: num(stats.deadLettered),
      alerts: num(stats.alerts),
      commandsReceived: num(stats.commandsReceived),
      qos1Published: num(qos1.published),
      qos1Stored: num(qos1.stored),
      qos0Published: num(qos0.published),
      qos0Lost: num(qos0.lost),
      droppedBySensors: num(stats.droppedBySensors),
      devicesConnected: num(devices.connected),
      devicesFailed: num(devices.failed),
      bandwidthReduction: num(edge.bandwidthReduction),
    }),
    wall: defined({
      ms: num(wall.ms),
      speedup: num(wall.speedup),
      connectP50Ms: num(wall.connectP50Ms),
      connectP99Ms: num(wall.connectP99Ms),
      pubackP50Ms: num(wall.pubackP50Ms),
      pubackP99Ms: num(wall.pubackP99Ms),
      pubackMaxMs: num(wall.pubackMaxMs),
      actionLatencyP50Ms: num(wall.actionLatencyP50Ms),
      actionLatencyP99Ms: num(wall.actionLatencyP99Ms),
      settleHow: optStr(settle.how),
      settleWaitedMs: num(settle.waitedMs),
    }),
    links: Object.entries(obj(r.links)).map(([name, l]) => {
      const link = obj(l);
      return defined({
        name,
        sent: num(link.sent),
        delivered: num(link.delivered),
        lostQos0: num(link.lostQos0),
        retransmittedQos1: num(link.retransmittedQos1),
        duplicated: num(link.duplicated),
        latencyP50Ms: num(link.latencyP50Ms),
        latencyP99Ms: num(link.latencyP99Ms),
      });
    }),
    timeline: r.timeline === undefined || r.timeline === null ? undefined : readTimeline(r.timeline, simulatedS),
    reporterErrors: arr(r.reporterErrors).map((e) => str(e)).filter(Boolean),
  });
}

function readExpectation(raw: unknown): ExpectationView {
  const e = obj(raw);
  const skipped = e.skipped !== undefined && e.skipped !== false;
  return {
    name: str(e.name) || str(e.type) || 'expectation',
    type: str(e.type),
    state: skipped ? 'skipped' : e.passed === true ? 'passed' : 'failed',
    detail: str(e.detail) || (skipped ? `skipped: ${str(e.skipped)}` : ''),
  };
}

function readTimeline(raw: unknown, simulatedS: number | undefined): TimelineView {
  const t = obj(raw);
  const faults: FaultView[] = [];
  for (const f of arr(t.faults).map(obj)) {
    const atS = num(f.atS);
    if (atS === undefined) continue;
    faults.push(defined({ id: str(f.id) || `${str(f.device)}/${str(f.type)}`, device: str(f.device), type: str(f.type), sensor: optStr(f.sensor), atS, fullAtS: Math.max(atS, num(f.fullAtS) ?? atS) }));
  }
  const alerts: AlertView[] = [];
  for (const a of arr(t.alerts).map(obj)) {
    const atS = num(a.atS);
    if (atS === undefined) continue;
    alerts.push(defined({ device: str(a.device), sensor: optStr(a.sensor), kind: a.kind === 'anomaly' ? 'anomaly' : 'alert', state: a.state === 'cleared' ? 'cleared' : 'raised', rule: str(a.rule), atS }));
  }
  const actions = (list: unknown): ActionView[] => {
    const out: ActionView[] = [];
    for (const c of arr(list).map(obj)) {
      const atS = num(c.atS);
      if (atS !== undefined) out.push(defined({ device: str(c.device), action: str(c.action), atS, outcome: optStr(c.outcome) }));
    }
    return out;
  };
  const series = arr(t.series).map(readSeries);
  const times = [...faults.map((f) => f.fullAtS), ...alerts.map((a) => a.atS), ...series.map((s) => s.xs[s.xs.length - 1] ?? 0)];
  const commands = actions(t.commands);
  const steps = actions(t.steps);
  for (const c of [...commands, ...steps]) times.push(c.atS);
  const endS = Math.max(simulatedS ?? 0, ...times);
  return { endS: endS > 0 ? endS : 1, faults, alerts, commands, steps, series };
}

function readSeries(raw: unknown): SeriesView {
  const s = obj(raw);
  const points: [number, number][] = [];
  for (const p of arr(s.points)) {
    const x = num(arr(p)[0]);
    const y = num(arr(p)[1]);
    if (x !== undefined && y !== undefined) points.push([x, y]);
  }
  // uPlot needs ascending x; the runner sorts already, so this is a check that costs one pass.
  if (points.some((p, i) => i > 0 && p[0] < points[i - 1]![0])) points.sort((a, b) => a[0] - b[0]);
  return {
    device: str(s.device),
    sensor: str(s.sensor),
    metric: str(s.metric) || 'value',
    thresholds: arr(s.thresholds).map(num).filter((x): x is number => x !== undefined),
    xs: points.map((p) => p[0]),
    ys: points.map((p) => p[1]),
  };
}
