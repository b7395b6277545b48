import { z } from 'zod';

/** Statistics a window can report; rms, peak and crest are always reported (FeaturesV1 requires them). */
export const STAT_NAMES = ['mean', 'std', 'rms', 'peak', 'crest', 'kurtosis', 'skewness'] as const;
export type StatName = (typeof STAT_NAMES)[number];
export const DEFAULT_STATS: readonly StatName[] = ['rms', 'peak', 'crest', 'kurtosis', 'skewness'];

const UnitSchema = z.string().min(1).max(16);
const HzSchema = z.number().positive().finite();
const BandSchema = z
  .tuple([z.number().nonnegative().finite(), HzSchema])
  .refine(([lo, hi]) => lo < hi, { message: 'a band is [loHz, hiHz] with loHz < hiHz' });

const ValidateStageSchema = z
  .object({
    type: z.literal('validate'),
    unit: UnitSchema.optional().describe('Unit the values must arrive in, e.g. `g`; a block in any other unit is rejected. Default: any unit.'),
    rateHz: HzSchema.optional().describe('Sample rate the block must declare, Hz; a block at any other rate is rejected. Default: any rate.'),
    min: z.number().finite().optional().describe('Smallest plausible sample, in the unit at this point of the chain; a block with any sample below it is rejected. Default: no bound.'),
    max: z.number().finite().optional().describe('Largest plausible sample, in the unit at this point of the chain; a block with any sample above it is rejected. Default: no bound.'),
  })
  .strict()
  .refine((s) => s.min === undefined || s.max === undefined || s.min < s.max, { message: 'min must be smaller than max', path: ['min'] });

const ScaleStageSchema = z
  .object({
    type: z.literal('scale'),
    from: UnitSchema.describe('Unit the values arrive in, e.g. `m/s2`. A block already in `to` passes unchanged; any other unit is rejected.'),
    to: UnitSchema.describe('Unit after scaling, e.g. `g`; the features carry it.'),
    factor: z.number().finite().refine((f) => f !== 0, { message: 'factor must not be 0' }).describe('Multiplier from `from` to `to`, e.g. 0.101972 (1/9.80665) for m/s2 → g.'),
  })
  .strict();

const HampelStageSchema = z
  .object({
    type: z.literal('hampel'),
    halfWidth: z.number().int().min(1).max(50).default(3).describe('k: the window is 2k + 1 samples and the output lags by k samples. Default 3.'),
    threshold: z.number().positive().finite().default(3).describe('n: a sample further than n·1.4826·MAD from the window median is replaced by the median. Default 3.'),
  })
  .strict();

const SectionsSchema = z.number().int().min(1).max(8).default(1).describe('Cascaded 2nd-order sections (filter order 2·sections). Default 1.');

const CutoffStageFields = {
  cutoffHz: HzSchema.describe('−3 dB cutoff, Hz (below the stream\'s Nyquist, else blocks are rejected with code `config`).'),
  sections: SectionsSchema,
  q: z.number().positive().finite().optional().describe('Q of every section. Default: Butterworth Qs for the order (0.7071 for one section).'),
};
const LowpassStageSchema = z.object({ type: z.literal('lowpass'), ...CutoffStageFields }).strict();
const HighpassStageSchema = z.object({ type: z.literal('highpass'), ...CutoffStageFields }).strict();

const BandpassStageSchema = z
  .object({
    type: z.literal('bandpass'),
    centerHz: HzSchema.describe('Centre frequency, Hz (0 dB gain there).'),
    q: z.number().positive().finite().describe('Q = centre / −3 dB bandwidth of one section.'),
    sections: SectionsSchema,
  })
  .strict();

const DecimateStageSchema = z
  .object({
    type: z.literal('decimate'),
    factor: z.number().int().min(2).max(64).describe('Keep one sample in `factor`; the output rate is rateHz/factor.'),
    sections: z
      .number()
      .int()
      .min(1)
      .max(8)
      .default(6)
      .describe('Sections of the Butterworth anti-alias low-pass at 0.4·fs_out. Default 6 (12th order: ≥ 40 dB on all that would alias below 0.4·fs_out).'),
  })
  .strict();

export const StageSchema = z.discriminatedUnion('type', [
  ValidateStageSchema,
  ScaleStageSchema,
  HampelStageSchema,
  LowpassStageSchema,
  HighpassStageSchema,
  BandpassStageSchema,
  DecimateStageSchema,
]);

export const WindowSchema = z
  .object({
    seconds: z.number().positive().finite().optional().describe('Window length, s, rounded to whole blocks (at least one). Default 1 (when `blocks` is not set).'),
    blocks: z.number().int().positive().optional().describe('Window length in blocks, instead of `seconds`; `blocks: 1` makes every block one features record.'),
    overlap: z.number().min(0).max(0.9).default(0).describe('Fraction of a window shared with the next (hop = round(blocks·(1 − overlap)), at least 1 block). Default 0.'),
    function: z.enum(['hann', 'rect']).default('hann').describe('Window applied before the FFT (not to the time-domain stats). Default hann.'),
    idleFlushS: z
      .number()
      .positive()
      .finite()
      .optional()
      .describe(
        'A stream silent this long in event time (the newest reading the gateway has processed from any device, past the end of this stream\'s last block) ' +
          'sends its open window as it is, and what it holds: a device that went away does not keep its last readings at the edge. Blocks that come later ' +
          'open a new window. Set it above how far apart in event time devices\' readings can arrive (their queues, a partition). Default: never.',
      ),
  })
  .strict()
  .refine((w) => w.seconds === undefined || w.blocks === undefined, { message: 'set either seconds or blocks, not both', path: ['blocks'] });

const BearingSchema = z
  .object({
    balls: z.number().int().min(3).max(100).describe('Number of rolling elements N.'),
    ballDiameterMm: z.number().positive().finite().describe('Rolling-element diameter d, mm.'),
    pitchDiameterMm: z.number().positive().finite().describe('Pitch diameter D, mm.'),
    contactAngleDeg: z.number().min(0).max(60).default(0).describe('Contact angle α, degrees. Default 0.'),
  })
  .strict()
  .refine((g) => g.ballDiameterMm < g.pitchDiameterMm, { message: 'ballDiameterMm must be smaller than pitchDiameterMm', path: ['ballDiameterMm'] });

const EnvelopeSchema = z
  .object({
    bandHz: BandSchema.describe('Demodulation band [loHz, hiHz] around the housing resonance the impacts excite.'),
    bearing: BearingSchema.describe('Geometry that sets the defect frequencies.'),
    shaftRpm: z.number().positive().finite().optional().describe('Shaft speed, rpm, when it is fixed and known.'),
    shaftRpmFrom: z.literal('peak').optional().describe('`peak`: take the shaft speed from the largest spectral line in shaftSearchHz (the 1×).'),
    shaftSearchHz: BandSchema.default([5, 100]).describe('Where to look for the 1× line with `shaftRpmFrom: peak`, Hz. Default [5, 100] (300–6000 rpm).'),
  })
  .strict()
  .refine((e) => (e.shaftRpm === undefined) !== (e.shaftRpmFrom === undefined), { message: 'set exactly one of shaftRpm and shaftRpmFrom', path: ['shaftRpm'] });

export const FeaturesConfigSchema = z
  .object({
    stats: z
      .array(z.enum(STAT_NAMES))
      .default([...DEFAULT_STATS])
      .describe('Time-domain statistics to report; rms, peak and crest are always included. Default rms, peak, crest, kurtosis, skewness.'),
    bandsHz: z.array(BandSchema).default([]).describe('Bands [loHz, hiHz) whose mean-square energy is reported as `band<lo>_<hi>Hz`, in unit². Default none.'),
    peaks: z.number().int().min(0).max(20).default(0).describe('Report the n largest spectral peaks as peak<i>Hz / peak<i>Amp (amplitude in unit). Default 0.'),
    envelope: EnvelopeSchema.optional().describe('Envelope-spectrum amplitudes at the bearing defect frequencies (envBpfo, envBpfi, envBsf, envFtf). Default: off.'),
    dc: z
      .boolean()
      .default(false)
      .describe('Report `dc`: the mean of the window\'s samples before the stages, the level a high-pass removes (an IMU\'s share of gravity). Default false.'),
  })
  .strict();

export const DeadbandSchema = z
  .object({
    delta: z.number().nonnegative().finite().describe('Send a window when `feature` moved by at least this much (in the unit) since the last record sent.'),
    maxIntervalS: z
      .number()
      .positive()
      .finite()
      .default(60)
      .describe(
        'Heartbeat, s of event time: held windows go up, merged into one record, once they span this long, so silence stays detectable (give a cloud absent rule on this sensor a timeoutS above twice this). Default 60.',
      ),
    feature: z.enum(STAT_NAMES).default('mean').describe('Statistic the deadband watches; it is always reported. Default mean.'),
  })
  .strict();

export const RawUplinkSchema = z
  .object({
    mode: z.enum(['never', 'around-events', 'always']).default('never').describe('When the gateway uplinks raw blocks. Default never.'),
    preS: z.number().nonnegative().finite().default(5).describe('Seconds of blocks kept before an event (the RawRing length). Default 5.'),
    postS: z.number().nonnegative().finite().default(5).describe('Seconds of blocks sent after an event. Default 5.'),
    encoding: z.enum(['f32', 'delta-f32', 'delta-f32-gzip']).default('delta-f32-gzip').describe('Raw block encoding. Default delta-f32-gzip.'),
  })
  .strict();

export const PipelineSchema = z
  .object({
    sensors: z.array(z.string().min(1)).min(1).describe('Sensor names this pipeline applies to, e.g. [accel]; `*` matches every sensor. The first matching pipeline wins.'),
    stages: z
      .array(StageSchema)
      .default([])
      .refine((stages) => stages.every((s, i) => s.type !== 'validate' || stages.slice(0, i).every((p) => p.type === 'validate' || p.type === 'scale')), {
        message: 'validate stages may follow only scale or validate stages: a rejected block must never reach a filter\'s state',
      })
      .describe('Stages run in order on each block\'s samples; filter state runs on across blocks. Default none.'),
    window: WindowSchema.prefault({}).describe(
      'How blocks group into feature windows: whole blocks, window s holding seqs s … s + blocks − 1 with s a multiple of the hop, so a window is keyed by the seq of its first block present and `blocks` counts the blocks present. Default 1 s, no overlap, Hann.',
    ),
    features: FeaturesConfigSchema.prefault({}).describe('What each window reports.'),
    deadband: DeadbandSchema.optional().describe(
      'Report by exception, for slow signals such as temperatures: a window whose `feature` stayed within `delta` of the last record sent is held, and goes up with the next record (on its own just before a window that moved, merged into one on the heartbeat), so every reading still reaches the cloud once; until then (or a drain) it waits at the edge. Local rules and the anomaly model judge every window all the same. Default: off (every window is sent).',
    ),
    neverInflate: z
      .boolean()
      .default(false)
      .describe(
        'Never send more feature bytes upstream than the stream\'s readings brought in: a window the payload bytes received since the last record cannot pay for is held and goes up merged with the next one (events and raw blocks, sent on demand, are not counted). A drain (shutdown, end of a run) still sends what is held. Default false for a declared pipeline; the default pipelines set it.',
      ),
    rawUplink: RawUplinkSchema.optional().describe('Raw block uplink around events. Default: off.'),
  })
  .strict()
  .refine((p) => (p.deadband === undefined && !p.neverInflate) || p.window.overlap === 0, {
    message: 'deadband and neverInflate merge whole windows into one record: they need windows that do not overlap (overlap: 0)',
    path: ['window', 'overlap'],
  });

export const PipelinesSchema = z.array(PipelineSchema).describe('Per-sensor preprocessing pipelines; the first whose `sensors` names the sensor applies.');

export type StageConfig = z.output<typeof StageSchema>;
export type WindowConfig = z.output<typeof WindowSchema>;
export type FeaturesConfig = z.output<typeof FeaturesConfigSchema>;
export type EnvelopeConfig = NonNullable<FeaturesConfig['envelope']>;
export type DeadbandConfig = z.output<typeof DeadbandSchema>;
export type RawUplinkConfig = z.output<typeof RawUplinkSchema>;
export type PipelineConfig = z.output<typeof PipelineSchema>;
export type PipelineConfigInput = z.input<typeof PipelineSchema>;
