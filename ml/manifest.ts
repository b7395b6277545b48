import { z } from 'zod';
import { INPUT_NAME, OUTPUT_NAME, TWINBED_FORMAT } from './onnx-export';
import type { PcaModel } from './pca-model';

const ScoreSummarySchema = z.object({
  count: z.number(),
  min: z.number(),
  p50: z.number(),
  p90: z.number(),
  p99: z.number(),
  p999: z.number(),
  max: z.number(),
  over: z.number(),
  overRate: z.number(),
  nonFinite: z.number(),
});

/** `model.json` beside `model.onnx`: what to stage it with (spec, threshold, sha256) and how the fit went. */
export const ModelManifestSchema = z
  .object({
    format: z.literal(TWINBED_FORMAT).describe('Model format; the ONNX file carries the same in twinbed.format.'),
    version: z.string().min(1).describe('Version name, also in the ONNX metadata.'),
    file: z.string().min(1).describe('The ONNX file, relative to this manifest.'),
    sha256: z.string().regex(/^[0-9a-f]{64}$/).describe('SHA-256 of the ONNX file, hex: pass it to model.stage.'),
    fittedOn: z.string().describe('What the model was fitted on.'),
    spec: z
      .object({
        input: z.string().describe(`Input name, float32 [N, features]. Always \`${INPUT_NAME}\`.`),
        output: z.string().describe(`Output name, float32 [N]. Always \`${OUTPUT_NAME}\`.`),
        features: z.array(z.string()).describe('Feature names in input order.'),
        logFeatures: z.array(z.string()).describe('Features modelled as log(x/g).'),
      })
      .strict(),
    threshold: z.number().positive().describe('Scores above this are anomalous.'),
    stats: z
      .object({
        windows: z.number().int().describe('Healthy windows fitted on.'),
        components: z.number().int().describe('Principal components kept, k.'),
        explainedVariance: z.number().describe('Fraction of standardised variance the k components explain.'),
        eigenvalues: z.array(z.number()).describe('Eigenvalues of the standardised covariance, descending.'),
        flooredFeatures: z.array(z.string()).describe('Features whose σ was raised to the floor.'),
        thresholdPercentile: z.number().describe('Percentile of healthy scores the threshold starts from, %.'),
        thresholdMargin: z.number().describe('Factor applied to that percentile.'),
        healthyScores: ScoreSummarySchema.describe('Distribution of the training windows\' scores.'),
      })
      .strict(),
  })
  .strict();

export type ModelManifest = z.output<typeof ModelManifestSchema>;

export function modelManifest(model: PcaModel, info: { version: string; file: string; sha256: string; fittedOn: string }): ModelManifest {
  const { stats } = model;
  return {
    format: TWINBED_FORMAT,
    ...info,
    spec: { input: INPUT_NAME, output: OUTPUT_NAME, features: [...model.featureNames], logFeatures: stats.logFeatures },
    threshold: model.threshold,
    stats: {
      windows: stats.windows,
      components: stats.components,
      explainedVariance: stats.explainedVariance,
      eigenvalues: stats.eigenvalues,
      flooredFeatures: stats.flooredFeatures,
      thresholdPercentile: stats.thresholdPercentile,
      thresholdMargin: stats.thresholdMargin,
      healthyScores: stats.healthyScores,
    },
  };
}
