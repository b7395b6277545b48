import { z } from 'zod';

export const BearingGeometrySchema = z
  .object({
    balls: z.number().int().min(3).max(100).default(9).describe('Number of rolling elements. Default 9 (a 6205 deep-groove ball bearing).'),
    ballDiameterMm: z.number().positive().default(7.94).describe('Rolling-element diameter d, mm. Default 7.94.'),
    pitchDiameterMm: z.number().positive().default(39.04).describe('Pitch diameter D, mm. Default 39.04.'),
    contactAngleDeg: z.number().min(0).max(60).default(0).describe('Contact angle α, degrees. Default 0.'),
  })
  .strict()
  .refine((g) => g.ballDiameterMm < g.pitchDiameterMm, { message: 'ballDiameterMm must be smaller than pitchDiameterMm', path: ['ballDiameterMm'] });

export type BearingGeometry = z.output<typeof BearingGeometrySchema>;

/** Defect frequencies as multiples of the shaft rotation frequency (stationary outer race). */
export interface DefectOrders {
  /** Ball pass frequency, outer race. */
  bpfo: number;
  /** Ball pass frequency, inner race. */
  bpfi: number;
  /** Ball spin frequency (a ball defect strikes the races at 2·BSF). */
  bsf: number;
  /** Fundamental train (cage) frequency. */
  ftf: number;
}

export function defectOrders(g: BearingGeometry): DefectOrders {
  const ratio = (g.ballDiameterMm / g.pitchDiameterMm) * Math.cos((g.contactAngleDeg * Math.PI) / 180);
  return {
    bpfo: (g.balls / 2) * (1 - ratio), // BPFO = N/2·fr·(1 − d/D·cosα)
    bpfi: (g.balls / 2) * (1 + ratio), // BPFI = N/2·fr·(1 + d/D·cosα)
    bsf: (g.pitchDiameterMm / (2 * g.ballDiameterMm)) * (1 - ratio * ratio), // BSF = D/(2d)·fr·(1 − (d/D·cosα)²)
    ftf: (1 - ratio) / 2, // FTF = fr/2·(1 − d/D·cosα)
  };
}
