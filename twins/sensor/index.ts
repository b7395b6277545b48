// twins/sensor/: the sensor model every twin shares, from measurand to reported block. Platform-free.
export { SensorModelSchema, type SensorModelConfig, type SensorModelInput } from './sensor-model-config';
export { SensorFaultSchema, type SensorFaultConfig, type SensorFaultInput, type SensorFaultType } from './sensor-faults';
export { SensorFaultInjector, type BlockFaultEffects } from './sensor-fault-injector';
export { SensorChannel, type SensorChannelOptions, type SensorRngs } from './sensor-channel';
export { ButterworthLowpass } from './butterworth-lowpass';
export { GaussMarkovBias } from './gauss-markov-bias';
