import { describe, expect, it } from 'vitest';
import type { z } from 'zod';
import {
  GilbertElliottSchema,
  LinkChannelOptionsSchema,
  LinkImpairmentOverrideShape,
  LinkImpairmentSchema,
  LinkImpairmentShape,
  LinkScheduleEntrySchema,
  NormalJitterSchema,
  ParetoJitterSchema,
  ReorderSchema,
} from '../../../../sim/link/index';

describe('LinkImpairmentSchema', () => {
  it('resolves {} to the unimpaired link', () => {
    expect(LinkImpairmentSchema.parse({})).toEqual({
      latencyMs: 0,
      loss: 0,
      duplicate: 0,
      duplicateDelayMs: 1,
      partition: false,
      stall: false,
      reset: false,
    });
  });

  it('fills the Gilbert–Elliott loss defaults lossGood 0 and lossBad 1', () => {
    expect(LinkImpairmentSchema.parse({ gilbertElliott: { pGoodToBad: 0.1, pBadToGood: 0.5 } }).gilbertElliott).toEqual({
      pGoodToBad: 0.1,
      pBadToGood: 0.5,
      lossGood: 0,
      lossBad: 1,
    });
  });

  it.each([
    ['loss and gilbertElliott together', { loss: 0.1, gilbertElliott: { pGoodToBad: 0.1, pBadToGood: 0.5 } }, 'loss', /either loss .* or gilbertElliott/],
    ['queueLimitBytes without bandwidthKbps', { queueLimitBytes: 1_000 }, 'queueLimitBytes', /set bandwidthKbps too/],
    ['a Pareto shape of 1 (infinite mean)', { jitter: { dist: 'pareto', scaleMs: 5, shape: 1 } }, 'jitter.shape', /.+/],
    ['an unknown jitter distribution', { jitter: { dist: 'uniform', sdMs: 5 } }, 'jitter.dist', /.+/],
    ['a loss above 1', { loss: 1.2 }, 'loss', /.+/],
    ['a negative latency', { latencyMs: -1 }, 'latencyMs', /.+/],
    ['pBadToGood 0 (a bad state never left)', { gilbertElliott: { pGoodToBad: 0.1, pBadToGood: 0 } }, 'gilbertElliott.pBadToGood', /.+/],
    ['a fractional queue limit', { bandwidthKbps: 10, queueLimitBytes: 10.5 }, 'queueLimitBytes', /.+/],
  ])('rejects %s, naming the field', (_name, input, path, message) => {
    const result = LinkImpairmentSchema.safeParse(input);
    expect(result.success).toBe(false);
    const issue = result.error!.issues[0]!;
    expect(issue.path.join('.')).toBe(path);
    expect(issue.message).toMatch(message);
  });

  it('rejects unknown fields (strict), so a typo such as latency: 20 is not silently ignored', () => {
    const result = LinkImpairmentSchema.safeParse({ latency: 20 });
    expect(result.success).toBe(false);
    expect(result.error!.issues[0]).toMatchObject({ code: 'unrecognized_keys', keys: ['latency'] });
  });
});

describe('link config documentation', () => {
  const shapes: Record<string, Record<string, z.ZodType>> = {
    LinkImpairmentShape,
    LinkImpairmentOverrideShape,
    LinkScheduleEntry: LinkScheduleEntrySchema.shape,
    NormalJitter: NormalJitterSchema.shape,
    ParetoJitter: ParetoJitterSchema.shape,
    GilbertElliott: GilbertElliottSchema.shape,
    Reorder: ReorderSchema.shape,
    LinkChannelOptions: LinkChannelOptionsSchema.shape,
  };

  it.each(Object.entries(shapes))('documents every field of %s with its default (or that it is required)', (_name, shape) => {
    for (const [field, schema] of Object.entries(shape)) {
      expect(schema.description, field).toMatch(/Default|Required|^(Normal|Pareto) jitter:/);
    }
  });
});
