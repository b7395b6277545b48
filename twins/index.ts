// twins/: physics-based machine twins (vibration, thermal, motion), the shared sensor model, and the runtime
// that publishes them as MQTT devices. Everything but the runtime (fleet, publisher) is platform-free.
export type { Measurand, Channel, ChannelBlock } from './channel';
export { blockSeconds, telemetryOf } from './channel';
export { STANDARD_GRAVITY, RAD_S_PER_RPM, W_PER_KW, S_PER_H } from './units';
export type { Machine } from './machine';
export { MachineReader, type ReadBlock } from './machine-reader';
export * from './machines';
export { OperatingProfile, ProfilePointSchema, type ProfilePoint } from './operating-profile';
export { FaultTimingShape, severityAt, fullSeverityAtS, isActive, growthOf, timingProblem, type FaultTiming } from './severity';
export {
  BearingGeometrySchema,
  MountSchema,
  ResonanceSchema,
  ImbalanceFaultSchema,
  MisalignmentFaultSchema,
  LoosenessFaultSchema,
  BearingFaultSchema,
  VibrationMeasurand,
  type BearingGeometry,
  type VibrationFault,
} from './vibration';
export {
  SensorChannel,
  SensorModelSchema,
  SensorFaultSchema,
  type SensorModelConfig,
  type SensorModelInput,
  type SensorFaultConfig,
  type SensorFaultType,
} from './sensor';
export { ThermalSchema, ThermalNetwork, constantDrivers, type ThermalConfig, type ThermalDrivers } from './thermal';
export {
  MotorPowerModel,
  MotorPowerMeasurand,
  ElectricalError,
  electricalPowerW,
  partLoadEfficiency,
  ratedTorqueNm,
  type MotorRating,
  type MotorDrivers,
  type ElectricalErrorCode,
} from './electrical';
export {
  initPhysics,
  IMU_AXES,
  Conveyor,
  ConveyorSchema,
  RobotArm,
  RobotArmSchema,
  BeltSlipFaultSchema,
  JamFaultSchema,
  CollisionFaultSchema,
  MotionError,
  type ConveyorConfig,
  type RobotArmConfig,
  type MotionFault,
} from './motion';
export { TwinFleet, type TwinFleetOptions, type DeviceStats, type ReceivedCommand } from './fleet';
export type { ExternalDevice, ExternalBlock } from './external-device';
export * from './transport';
