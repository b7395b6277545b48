import { z } from 'zod';

/** Doc lines shared by the impairment and by schedule entries, which set the same fields without defaults. */
const DOC = {
  latencyMs: 'Fixed one-way delay added to every packet after the bottleneck, ms. Default 0.',
  jitter: 'Random delay added to latencyMs per packet: normal (truncated so the total delay stays ≥ 0) or Pareto (heavy tail). Default none.',
  loss: 'Probability that a packet is lost, independently per packet (Bernoulli), 0–1. Default 0. Exclusive with gilbertElliott.',
  gilbertElliott: 'Bursty loss: a two-state Markov chain (good/bad) advanced once per packet. Default none. Exclusive with loss.',
  duplicate: 'Probability that a delivered packet arrives twice, 0–1. Default 0.',
  duplicateDelayMs: 'How much later the duplicate copy arrives than the original, ms. Default 1.',
  reorder: 'Hold some packets back so that later ones overtake them. Default none.',
  bandwidthKbps: 'Bottleneck rate, kbit/s (1 kbit = 1000 bit): packets are serialized one after another in FIFO order. Default unlimited.',
  queueLimitBytes: 'Sender queue capacity, bytes: a packet that would make the backlog exceed it is tail-dropped. Needs bandwidthKbps. Default unlimited.',
  partition: 'Link down: nothing gets through (MQTT QoS 0 is lost, QoS ≥ 1 waits for the link). Default false.',
  stall: 'TCP-level stall: nothing is delivered and nothing is lost; everything waits for the stall to end. Default false.',
  reset: 'The connection is reset at the instant this impairment takes effect (set()); packets in flight are lost. Default false.',
} as const;

const Probability = z.number().min(0).max(1);
const NonNegativeMs = z.number().min(0).finite();

export const NormalJitterSchema = z
  .object({
    dist: z.literal('normal').describe('Normal jitter: N(0, sdMs²) added to latencyMs, truncated at a total delay of 0.'),
    sdMs: NonNegativeMs.describe('Standard deviation of the added delay, ms. Required.'),
  })
  .strict();

export const ParetoJitterSchema = z
  .object({
    dist: z.literal('pareto').describe('Pareto jitter: X − scaleMs with X ~ Pareto(x_m = scaleMs, α = shape), so the least added delay is 0.'),
    scaleMs: z.number().positive().finite().describe('Pareto scale x_m, ms; the median added delay is x_m·(2^(1/α) − 1). Required.'),
    shape: z.number().gt(1).finite().describe('Pareto shape α (> 1, so the mean x_m·α/(α − 1) is finite); smaller is heavier-tailed. Required.'),
  })
  .strict();

export const JitterSchema = z.discriminatedUnion('dist', [NormalJitterSchema, ParetoJitterSchema]).describe(DOC.jitter);

export const GilbertElliottSchema = z
  .object({
    pGoodToBad: Probability.describe('Probability per packet of moving from the good to the bad state, 0–1. Required.'),
    pBadToGood: z
      .number()
      .gt(0)
      .max(1)
      .describe('Probability per packet of moving from the bad to the good state, (0, 1]; mean bad-state run = 1/pBadToGood packets. Required.'),
    lossGood: Probability.default(0).describe('Loss probability in the good state, 0–1. Default 0.'),
    lossBad: Probability.default(1).describe('Loss probability in the bad state, 0–1. Default 1.'),
  })
  .strict()
  .describe(DOC.gilbertElliott);

export const ReorderSchema = z
  .object({
    probability: Probability.describe('Probability that a packet is held back, 0–1. Required.'),
    extraDelayMs: NonNegativeMs.describe('How long a held-back packet is delayed beyond its normal arrival, ms. Required.'),
  })
  .strict()
  .describe(DOC.reorder);

const Kbps = z.number().positive().finite();
const QueueBytes = z.number().int().positive();

/** The impairment's fields with their defaults; every default means "no impairment". */
export const LinkImpairmentShape = {
  latencyMs: NonNegativeMs.default(0).describe(DOC.latencyMs),
  jitter: JitterSchema.optional().describe(DOC.jitter),
  loss: Probability.default(0).describe(DOC.loss),
  gilbertElliott: GilbertElliottSchema.optional().describe(DOC.gilbertElliott),
  duplicate: Probability.default(0).describe(DOC.duplicate),
  duplicateDelayMs: NonNegativeMs.default(1).describe(DOC.duplicateDelayMs),
  reorder: ReorderSchema.optional().describe(DOC.reorder),
  bandwidthKbps: Kbps.optional().describe(DOC.bandwidthKbps),
  queueLimitBytes: QueueBytes.optional().describe(DOC.queueLimitBytes),
  partition: z.boolean().default(false).describe(DOC.partition),
  stall: z.boolean().default(false).describe(DOC.stall),
  reset: z.boolean().default(false).describe(DOC.reset),
};

/**
 * The same fields as overrides, for schedule entries: absent means "leave as is", and `null` removes an optional
 * impairment (`jitter: null`, `bandwidthKbps: null`) so a later entry can lift it.
 */
export const LinkImpairmentOverrideShape = {
  latencyMs: NonNegativeMs.optional().describe(DOC.latencyMs),
  jitter: JitterSchema.nullable().optional().describe(`${DOC.jitter} null removes it.`),
  loss: Probability.optional().describe(DOC.loss),
  gilbertElliott: GilbertElliottSchema.nullable().optional().describe(`${DOC.gilbertElliott} null removes it.`),
  duplicate: Probability.optional().describe(DOC.duplicate),
  duplicateDelayMs: NonNegativeMs.optional().describe(DOC.duplicateDelayMs),
  reorder: ReorderSchema.nullable().optional().describe(`${DOC.reorder} null removes it.`),
  bandwidthKbps: Kbps.nullable().optional().describe(`${DOC.bandwidthKbps} null removes the cap.`),
  queueLimitBytes: QueueBytes.nullable().optional().describe(`${DOC.queueLimitBytes} null removes the limit.`),
  partition: z.boolean().optional().describe(DOC.partition),
  stall: z.boolean().optional().describe(DOC.stall),
  reset: z.boolean().optional().describe(DOC.reset),
};

export const LinkImpairmentSchema = z
  .object(LinkImpairmentShape)
  .strict()
  .superRefine((value, ctx) => {
    if (value.gilbertElliott && value.loss > 0) {
      ctx.addIssue({
        code: 'custom',
        path: ['loss'],
        message: 'set either loss (independent losses) or gilbertElliott (bursty losses), not both',
      });
    }
    if (value.queueLimitBytes !== undefined && value.bandwidthKbps === undefined) {
      ctx.addIssue({
        code: 'custom',
        path: ['queueLimitBytes'],
        message: 'a queue only fills behind a bottleneck: set bandwidthKbps too, or drop queueLimitBytes',
      });
    }
  })
  .describe('Impairment of one directed link (user-space netem). Every field is optional; the defaults mean "no impairment".');

/** A resolved impairment, every default filled in. */
export type LinkImpairment = z.output<typeof LinkImpairmentSchema>;
/** An impairment as written: any subset of the fields. A resolved LinkImpairment is also a valid input. */
export type LinkImpairmentInput = z.input<typeof LinkImpairmentSchema>;
export type Jitter = z.output<typeof JitterSchema>;
export type NormalJitter = z.output<typeof NormalJitterSchema>;
export type ParetoJitter = z.output<typeof ParetoJitterSchema>;
export type GilbertElliott = z.output<typeof GilbertElliottSchema>;
export type Reorder = z.output<typeof ReorderSchema>;

/** The unimpaired link: zero delay, nothing lost, up. */
export const NO_IMPAIRMENT: LinkImpairment = freezeImpairment(LinkImpairmentSchema.parse({}));

/** Freezes an impairment and its nested objects (one level is all there is), so holders cannot change it behind set(). */
export function freezeImpairment(value: LinkImpairment): LinkImpairment {
  for (const nested of Object.values(value)) if (typeof nested === 'object' && nested !== null) Object.freeze(nested);
  return Object.freeze(value);
}
