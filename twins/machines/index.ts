export { MachineSchema, FaultSchema, FAULT_TYPES, TEMPLATES, SENSOR_FAULT_TYPES, MACHINE_FAULTS_BY_TEMPLATE, createMachines, sensorsOf } from './templates';
export type { MachineConfig, MachineInput, FaultConfig, FleetDefinition } from './templates';
export { PumpSchema, FanSchema, RotatingMachine, type RotatingMachineConfig, type RotatingFault } from './rotating-machine';
export { EnvironmentSchema, EnvironmentTwin, type EnvironmentConfig } from './environment';
export { OverheatingFaultSchema, LubricationFaultSchema, type OverheatingFault, type LubricationFault } from './machine-faults';
export { faultFromCommand, setFromCommand, faultOutcome, SetArgsSchema, FAULT_COMMAND_DEFAULTS, type InjectedFault, type InjectableFaultType, type SetArgs, type CommandResult } from './machine-commands';
export { sensorSpec, type SensorSpec } from './sensor-spec';
export { ConveyorTemplateSchema, RobotArmTemplateSchema, MotionMachine, type ConveyorTemplateConfig, type RobotArmTemplateConfig } from './motion-machines';
