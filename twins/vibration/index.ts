export { BearingGeometrySchema, type BearingGeometry } from './bearing-kinematics';
export {
  MountSchema,
  ResonanceSchema,
  ImbalanceFaultSchema,
  MisalignmentFaultSchema,
  LoosenessFaultSchema,
  BearingFaultSchema,
  type MountConfig,
  type ResonanceConfig,
  type ImbalanceFault,
  type MisalignmentFault,
  type LoosenessFault,
  type BearingFault,
  type VibrationFault,
} from './vibration-config';
export { VibrationMeasurand, type VibrationModelOptions } from './vibration-measurand';
export { STANDARD_GRAVITY } from '../units';
export { ShaftWaveform } from './shaft-waveforms';
