// twins/: machine models that produce sensor signals, and the runtime that publishes them as MQTT devices.
export {
  RotatingMachineSchema,
  VibrationSensorSchema,
  ImbalanceFaultSchema,
  FaultSchema,
  type RotatingMachineConfig,
  type VibrationSensorConfig,
  type ImbalanceFault,
  type FaultConfig,
} from './machine-config';
export { RotatingMachine, STANDARD_GRAVITY } from './rotating-machine';
export { rampSeverity } from './severity';
export { TwinFleet, type TwinFleetOptions, type DeviceStats } from './fleet';
