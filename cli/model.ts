import { mkdir, readFile, writeFile } from 'node:fs/promises';
import path from 'node:path';
import { z } from 'zod';
import { ConfigError, DecodeError, decodeAs, formatFieldPath, type ConfigIssue, type FeaturesV1, type FeaturesV2 } from '../protocol';
import * as model from '../gateway';
import { featureWindows, loadScenario } from '../scenarios';
import { EXIT } from './exit-codes';

/** Where command output goes; tests pass their own. */
export interface CommandOutput {
  write(text: string): unknown;
}

const list = (text: string): string[] => text.split(',').map((s) => s.trim()).filter((s) => s.length > 0);

/** Flags shared by fit and check: which windows of the file to use. */
const WindowFlags = {
  features: z.string().min(1).optional().describe('--features: JSONL file, one features message (v1 or v2) JSON per line.'),
  scenario: z.string().min(1).optional().describe('--scenario: compute the windows from this scenario\'s twins with the gateway\'s own pipeline (needs --device).'),
  seconds: z.coerce.number().int().positive().optional().describe('--seconds: simulated seconds of a --scenario to use. Default: its duration.'),
  seed: z.string().min(1).optional().describe('--seed: overrides the --scenario seed.'),
  faults: z.boolean().optional().describe('--faults: keep the --scenario\'s faults. Default: fit leaves them out (healthy), check keeps them.'),
  device: z.string().min(1).optional().describe('--device: use only this device\'s windows. Default: every device.'),
  sensor: z.string().min(1).optional().describe('--sensor: use only this sensor\'s windows. Default: the file\'s only sensor.'),
};

/** Exactly one source of windows. */
const oneSource = (flags: { features?: string | undefined; scenario?: string | undefined; device?: string | undefined }, ctx: z.RefinementCtx) => {
  if ((flags.features === undefined) === (flags.scenario === undefined)) {
    ctx.addIssue({ code: 'custom', path: ['features'], message: 'give exactly one of --features FILE or --scenario FILE' });
  }
  if (flags.scenario !== undefined && flags.device === undefined) ctx.addIssue({ code: 'custom', path: ['device'], message: '--scenario needs --device: the twin to compute windows for' });
};

const FitFlagsSchema = z
  .object({
    ...WindowFlags,
    out: z.string().min(1).describe('--out: folder for model.onnx and model.json.'),
    variance: z.coerce.number().optional().describe('--variance: fraction of variance the kept components explain. Default 0.95.'),
    components: z.coerce.number().optional().describe('--components: keep exactly k components. Default: by --variance.'),
    margin: z.coerce.number().optional().describe('--margin: threshold = healthy percentile × margin. Default 1.5.'),
    percentile: z.coerce.number().optional().describe('--percentile: healthy-score percentile the threshold starts from, %. Default 99.9.'),
    log: z.string().optional().describe('--log: `auto`, `none` or comma-separated features modelled in log space. Default auto.'),
    select: z.string().optional().describe('--select: comma-separated input features, in input order. Default: every feature all windows have.'),
    modelVersion: z.string().min(1).max(128).optional().describe('--model-version: version name. Default pca-<sha256 of the windows, 12 hex>.'),
  })
  .strict()
  .superRefine(oneSource);

export type ModelFitFlags = z.input<typeof FitFlagsSchema>;

/** `twinbed model fit`: fits the PCA residual model on healthy windows, writes DIR/model.onnx and DIR/model.json. */
export async function runModelFit(flags: ModelFitFlags, out: CommandOutput = process.stdout): Promise<number> {
  const options = parseFlags(FitFlagsSchema, flags, 'twinbed model fit');
  const { windows, text, source } = await loadWindows(options, false);
  const set = model.trainingSet(windows.map((w) => w.features), options.select ? list(options.select) : undefined);
  const fitOptions = parseFlags(
    model.PcaFitOptionsSchema,
    {
      ...(options.variance !== undefined ? { variance: options.variance } : {}),
      ...(options.components !== undefined ? { components: options.components } : {}),
      ...(options.margin !== undefined ? { thresholdMargin: options.margin } : {}),
      ...(options.percentile !== undefined ? { thresholdPercentile: options.percentile } : {}),
      ...(options.log !== undefined ? { logFeatures: options.log === 'auto' || options.log === 'none' ? options.log : list(options.log) } : {}),
    },
    'twinbed model fit',
  );
  const fitted = model.fitPcaModel(set.rows, set.featureNames, fitOptions);
  const version = options.modelVersion ?? `pca-${model.sha256Hex(new TextEncoder().encode(text)).slice(0, 12)}`;
  const fittedOn = describeWindows(windows, source);
  const bytes = model.exportPcaOnnx(fitted, { version, fittedOn });
  await mkdir(options.out, { recursive: true });
  const sha256 = await model.writeOnnxFile(path.join(options.out, 'model.onnx'), bytes);
  const manifest = model.modelManifest(fitted, { version, file: 'model.onnx', sha256, fittedOn });
  await writeFile(path.join(options.out, 'model.json'), `${JSON.stringify(manifest, null, 2)}\n`);

  const { stats } = fitted;
  const scores = stats.healthyScores;
  out.write(
    [
      `twinbed model fit: ${fittedOn}`,
      `  → ${path.join(options.out, 'model.onnx')} (${bytes.length.toLocaleString('en')} bytes, sha256 ${sha256}) and model.json`,
      `  version     ${version}`,
      `  inputs      ${set.featureNames.length}: ${set.featureNames.join(', ')}`,
      ...(set.dropped.length > 0 ? [`  left out    ${set.dropped.join(', ')} (not in every window)`] : []),
      `  log space   ${stats.logFeatures.length > 0 ? stats.logFeatures.join(', ') : 'none'}`,
      ...(stats.flooredFeatures.length > 0 ? [`  σ floored   ${stats.flooredFeatures.join(', ')} (constant while healthy: any change scores high)`] : []),
      `  components  ${stats.components} of ${stats.features}, ${pct(stats.explainedVariance)} of the standardised variance`,
      `  threshold   ${num(fitted.threshold)} = p${stats.thresholdPercentile} of healthy scores (${num(fitted.threshold / stats.thresholdMargin)}) × ${stats.thresholdMargin}`,
      `  healthy     p50 ${num(scores.p50)}  p99 ${num(scores.p99)}  p99.9 ${num(scores.p999)}  max ${num(scores.max)}`,
      '',
    ].join('\n'),
  );
  return EXIT.ok;
}

const CheckFlagsSchema = z
  .object({
    ...WindowFlags,
    model: z.string().min(1).describe('--model: the .onnx file.'),
    inputs: z.string().optional().describe('--inputs: comma-separated feature names, for a model without twinbed metadata.'),
    threshold: z.coerce.number().positive().optional().describe('--threshold: score threshold. Default: the model\'s own.'),
    json: z.string().min(1).optional().describe('--json: also write the report as JSON to this file.'),
  })
  .strict()
  .superRefine(oneSource);

export type ModelCheckFlags = z.input<typeof CheckFlagsSchema>;

/** `twinbed model check`: scores windows with ONNX Runtime, compares with the TS reference, prints the distribution. Exit 1 on a parity failure. */
export async function runModelCheck(flags: ModelCheckFlags, out: CommandOutput = process.stdout): Promise<number> {
  const options = parseFlags(CheckFlagsSchema, flags, 'twinbed model check');
  const bytes = await readBytes(options.model);
  const { twinbed } = model.inspectOnnx(bytes);
  const features = twinbed?.params.featureNames ?? (options.inputs ? list(options.inputs) : undefined);
  if (!features) throw new ConfigError(options.model, [{ path: '', message: 'the model carries no twinbed metadata; pass --inputs with its ordered feature names' }]);
  const threshold = options.threshold ?? twinbed?.threshold ?? Infinity;
  const { windows, source } = await loadWindows(options, true);
  const { flat, n, skipped, firstMissing } = model.packWindows(windows.map((w) => w.features), features);
  if (n === 0) throw new ConfigError(source, [{ path: '', message: `no window has every model input (the first lacks ${firstMissing.join(', ')})` }]);

  const runner = await model.OnnxRunner.load(bytes, { features: [...features] });
  let scores: Float32Array;
  try {
    scores = await runner.scoreBatch(flat, n);
  } finally {
    await runner.release();
  }
  const parity = twinbed ? model.compareScores(scores, new model.ReferenceScorer(twinbed.params).scoreBatch(flat, n)) : undefined;
  const summary = model.summariseScores(scores, threshold);
  const kind = twinbed ? `twinbed ${twinbed.version}` : 'external';
  out.write(
    [
      `twinbed model check: ${options.model} (${kind}, ${features.length} inputs, threshold ${num(threshold)}, sha256 ${model.sha256Hex(bytes)})`,
      `  windows     ${n.toLocaleString('en')} scored${skipped > 0 ? `, ${skipped} skipped (the first lacked ${firstMissing.join(', ')})` : ''}`,
      parity
        ? `  parity      max |Δ| ${parity.maxAbsDiff.toExponential(2)}, max |Δ|/max(1, |ref|) ${parity.maxScaledDiff.toExponential(2)} vs the TypeScript reference: ${parity.withinTolerance ? 'ok' : 'FAILED'} (tolerance ${model.PARITY_TOLERANCE.toExponential(0)})`
        : '  parity      not checked: no twinbed parameters to build a reference from',
      `  scores      min ${num(summary.min)}  p50 ${num(summary.p50)}  p90 ${num(summary.p90)}  p99 ${num(summary.p99)}  p99.9 ${num(summary.p999)}  max ${num(summary.max)}`,
      `  over        ${summary.over.toLocaleString('en')} of ${n.toLocaleString('en')} above the threshold (${pct(summary.overRate)})${summary.nonFinite > 0 ? `; ${summary.nonFinite} non-finite scores` : ''}`,
      '',
    ].join('\n'),
  );
  if (options.json) await writeFile(options.json, `${JSON.stringify({ model: options.model, version: twinbed?.version ?? null, threshold, windows: n, skipped, parity: parity ?? null, scores: summary }, null, 2)}\n`);
  return parity && !parity.withinTolerance ? EXIT.expectationFailed : EXIT.ok;
}

/** A features window as either version carries it: fitting reads only the features, device, sensor and times. */
type Window = FeaturesV1 | FeaturesV2;

type WindowSource = { features?: string | undefined; scenario?: string | undefined; seconds?: number | undefined; seed?: string | undefined; faults?: boolean | undefined; device?: string | undefined; sensor?: string | undefined };

/** The windows of a JSONL file, or those the gateway would compute from a scenario's twins. */
async function loadWindows(flags: WindowSource, faultsByDefault: boolean): Promise<{ windows: Window[]; text: string; source: string }> {
  if (flags.features !== undefined) return { ...(await readWindows(flags.features, flags)), source: flags.features };
  const scenario = await loadScenario(flags.scenario!);
  const seed = flags.seed === undefined ? undefined : /^-?\d+$/.test(flags.seed) ? Number(flags.seed) : flags.seed;
  const windows = await featureWindows(scenario, {
    device: flags.device!,
    ...(flags.sensor !== undefined ? { sensor: flags.sensor } : {}),
    ...(flags.seconds !== undefined ? { seconds: flags.seconds } : {}),
    ...(seed !== undefined ? { seed } : {}),
    healthy: !(flags.faults ?? faultsByDefault),
  }).catch((error: unknown) => {
    throw error instanceof ConfigError ? error : new ConfigError(flags.scenario!, [{ path: '', message: (error as Error).message }]);
  });
  if (windows.length === 0) throw new ConfigError(flags.scenario!, [{ path: '', message: `no feature windows for ${flags.device} in ${flags.seconds ?? scenario.durationS} s` }]);
  return { windows, text: windows.map((w) => JSON.stringify(w)).join('\n'), source: flags.scenario! };
}

/** Reads a JSONL file of features windows (v1, or v2 as a gateway sends them), filtered by device and sensor; every bad line is reported with its number. */
async function readWindows(file: string, filter: { device?: string; sensor?: string }): Promise<{ windows: Window[]; text: string }> {
  const text = new TextDecoder().decode(await readBytes(file));
  const windows: Window[] = [];
  const issues: ConfigIssue[] = [];
  text.split('\n').forEach((line, i) => {
    if (line.trim() === '' || issues.length >= 10) return;
    try {
      const window = decodeAs(new TextEncoder().encode(line), 'features');
      if ((filter.device ?? window.device) === window.device && (filter.sensor ?? window.sensor) === window.sensor) windows.push(window);
    } catch (error) {
      if (!(error instanceof DecodeError)) throw error;
      issues.push({ line: i + 1, path: error.field, message: error.field ? error.message.slice(error.field.length + 2) : error.message });
    }
  });
  if (issues.length > 0) throw new ConfigError(file, issues);
  const sensors = [...new Set(windows.map((w) => w.sensor))];
  if (sensors.length > 1) throw new ConfigError(file, [{ path: '', message: `windows of several sensors (${sensors.join(', ')}); fit one sensor at a time with --sensor` }]);
  if (windows.length === 0) throw new ConfigError(file, [{ path: '', message: 'no feature windows (after --device/--sensor filters)' }]);
  return { windows, text };
}

async function readBytes(file: string): Promise<Uint8Array> {
  try {
    return await readFile(file);
  } catch (error) {
    throw new ConfigError(file, [{ path: '', message: `cannot read the file (${(error as NodeJS.ErrnoException).code ?? (error as Error).message})` }]);
  }
}

function parseFlags<T extends z.ZodType>(schema: T, flags: unknown, command: string): z.output<T> {
  const result = schema.safeParse(flags);
  if (result.success) return result.data;
  throw new ConfigError(
    command,
    result.error.issues.map((issue) => ({ path: flagName(formatFieldPath(issue.path)), message: issue.message })),
  );
}

const FLAG_NAMES: Record<string, string> = { thresholdMargin: 'margin', thresholdPercentile: 'percentile', logFeatures: 'log', modelVersion: 'model-version' };

function flagName(field: string): string {
  const name = field.split(/[.[]/)[0] ?? field;
  return `--${FLAG_NAMES[name] ?? name}`;
}

function describeWindows(windows: readonly Window[], file: string): string {
  const devices = [...new Set(windows.map((w) => w.device))];
  const first = windows.reduce((min, w) => Math.min(min, w.tsMs), Infinity);
  const last = windows.reduce((max, w) => Math.max(max, w.tsMs + w.windowMs), -Infinity);
  const who = devices.length <= 3 ? devices.join(', ') : `${devices.length} devices`;
  return `${windows.length.toLocaleString('en')} windows of ${who} / ${windows[0]!.sensor} from ${path.basename(file)}, ${new Date(first).toISOString()} – ${new Date(last).toISOString()}`;
}

function num(x: number): string {
  return Number.isFinite(x) ? String(Number(x.toPrecision(4))) : String(x);
}

function pct(x: number): string {
  return `${(100 * x).toFixed(x < 0.01 && x > 0 ? 3 : 1)}%`;
}
