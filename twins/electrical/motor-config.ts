import { z } from 'zod';

/** A template's nameplate defaults. */
export interface MotorDefaults {
  /** Rated shaft output, W. */
  ratedPowerW: number;
  /** Efficiency at rated load and speed. */
  ratedEfficiency: number;
}

/** The nameplate fields every template's `motor:` shares. */
function ratingShape(defaults: MotorDefaults) {
  return {
    ratedPowerW: z.number().positive().max(10_000_000).default(defaults.ratedPowerW).describe(`Rated shaft output, W. Default ${defaults.ratedPowerW}.`),
    ratedEfficiency: z
      .number()
      .gt(0)
      .lt(1)
      .default(defaults.ratedEfficiency)
      .describe(`Efficiency at rated load and speed. Default ${defaults.ratedEfficiency} (IE3, IEC 60034-30-1).`),
    peakEfficiencyLoad: z
      .number()
      .positive()
      .max(1.5)
      .default(0.75)
      .describe('Load where the efficiency peaks, fraction of rated torque: constant losses equal the load losses there. Default 0.75.'),
  };
}

/** The motor of a pump or fan: P = T·ω/η with T = load·P_rated/ω_rated, following the operating profile. */
export function rotatingMotorSchema(defaults: MotorDefaults) {
  return z
    .object({
      ...ratingShape(defaults),
      ratedSpeedRpm: z.number().positive().max(60_000).optional().describe("Rated speed, rpm; T_rated = P_rated/ω_rated. Default: the machine's speedRpm."),
    })
    .strict()
    .prefault({})
    .describe('Drive motor, for the power sensor.');
}

/** The conveyor's drive motor: its speed follows the commanded belt speed (slip is lost after the motor), its load is constant. */
export function conveyorMotorSchema(defaults: MotorDefaults & { ratedSpeedRpm: number }) {
  return z
    .object({
      ...ratingShape(defaults),
      ratedSpeedRpm: z
        .number()
        .positive()
        .max(60_000)
        .default(defaults.ratedSpeedRpm)
        .describe(`Rated speed, rpm; the gearbox turns it into ratedBeltSpeedMS. Default ${defaults.ratedSpeedRpm}.`),
      ratedBeltSpeedMS: z.number().positive().max(10).optional().describe("Belt speed at the motor's rated speed, m/s. Default: the conveyor's speedMS."),
      load: z
        .number()
        .min(0)
        .max(1.5)
        .default(0.5)
        .describe('Load, fraction of rated torque (belt, idlers and product), the same at every speed. Default 0.5.'),
    })
    .strict()
    .prefault({})
    .describe('Drive motor, for the power sensor.');
}

export type RotatingMotorConfig = z.output<ReturnType<typeof rotatingMotorSchema>>;
export type ConveyorMotorConfig = z.output<ReturnType<typeof conveyorMotorSchema>>;

/** A metered machine needs a rated speed: a pump or fan that starts at 0 rpm must name its motor's. */
export function checkRotatingMotor(
  config: { speedRpm: number; motor: RotatingMotorConfig; sensors: { power: { enabled: boolean } } },
  ctx: z.RefinementCtx,
): void {
  if (config.sensors.power.enabled && config.motor.ratedSpeedRpm === undefined && config.speedRpm === 0) {
    ctx.addIssue({
      code: 'custom',
      path: ['motor', 'ratedSpeedRpm'],
      message: 'the power sensor needs the motor’s rated speed, and speedRpm 0 cannot stand in for it; set motor.ratedSpeedRpm',
    });
  }
}

/** A metered conveyor needs a rated belt speed: one that starts at 0 m/s must name it. */
export function checkConveyorMotor(
  config: { speedMS: number; motor: ConveyorMotorConfig; sensors: { power: { enabled: boolean } } },
  ctx: z.RefinementCtx,
): void {
  if (config.sensors.power.enabled && config.motor.ratedBeltSpeedMS === undefined && config.speedMS === 0) {
    ctx.addIssue({
      code: 'custom',
      path: ['motor', 'ratedBeltSpeedMS'],
      message: 'the power sensor needs the belt speed at the motor’s rated speed, and speedMS 0 cannot stand in for it; set motor.ratedBeltSpeedMS',
    });
  }
}
