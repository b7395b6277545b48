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
