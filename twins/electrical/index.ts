// twins/electrical/: motor power of the machine twins (torque, part-load efficiency, input power) and energy metering.
export { MotorPowerModel, electricalPowerW, partLoadEfficiency, ratedTorqueNm, type MotorRating } from './motor-power';
export { MotorPowerMeasurand, type MotorDrivers } from './power-measurand';
export {
  rotatingMotorSchema,
  conveyorMotorSchema,
  checkRotatingMotor,
  checkConveyorMotor,
  type MotorDefaults,
  type RotatingMotorConfig,
  type ConveyorMotorConfig,
} from './motor-config';
export { powerSensorSpec } from './power-sensor';
export { ElectricalError, type ElectricalErrorCode } from './electrical-error';
