// scenarios/hardware: twins bound to physical devices (serial lines, brokers), the line protocol they speak, and the
// emulator that stands in for such a device in CI.
export { HardwareBindingSchema, HardwareBindingsSchema, blockSamplesOf, type HardwareBinding, type HardwareBindingInput, type SensorBinding } from './hardware-schema';
export {
  HardwareError,
  Listeners,
  type HardwareDevice,
  type HardwareDeviceEvents,
  type HardwareReading,
  type DeviceIdentity,
  type DeviceStatus,
  type DeviceCounters,
  type StatusChange,
  type CommandOutcome,
  type LineTransport,
  type LineHandlers,
} from './hardware-device';
export { LineCodec, LineWriter, parseCommandLine, encodeTextCommand, META_TYPES, type ParsedLine, type DeviceCommand, type ReadingLine, type MetaType } from './line-protocol';
export { LineSplitter, MAX_LINE_CHARS } from './line-splitter';
export { LineDevice, type LineDeviceOptions } from './line-device';
export { SerialTransport, type SerialTransportOptions } from './serial-transport';
export { MqttTransport, type MqttTransportOptions } from './mqtt-transport';
export { Firmware, FIRMWARE_NAME, type FirmwareOptions, type FirmwareReply } from './firmware';
export { emulatedMachine, type EmulatedMachineOptions } from './emulated-machine';
export { TwinDevice, type TwinDeviceOptions } from './twin-device';
export { startEmulator, type EmulatorOptions, type EmulatorTransport, type RunningEmulator, type EmulatorCounters } from './emulator';
export { DriftEstimator } from './drift-estimator';
export { BoundDevice, formatHardwareLine, type BoundDeviceOptions, type HardwareReport } from './bound-device';
export { HardwareSet, openHardware, lineDeviceFor, type OpenHardwareOptions } from './hardware-set';
export { hardwareRefusals } from './hardware-plan';
