// k6-style thresholds over a catalogue of run metrics: `metric{tag:value}: ['p(95)<200', 'max<30']`.
export { METRICS, METRIC_NAMES, LINK_NAMES, TAGS, isMetricName, metricSpec, type MetricName, type MetricSpec, type MetricNeed, type TagName } from './catalogue';
export { parseMetricKey, parseCondition, holds, type Condition, type Operator, type Aggregation, type MetricKey } from './syntax';
export { sampleDistribution, histogramDistribution, summaryDistribution, type Distribution, type HistogramLike } from './distribution';
export { thresholdChecks, thresholdProblems, thresholdName, type ThresholdCheck, type ThresholdProblem } from './checks';
export { judgeThreshold, measure, type Measurement } from './measure';
