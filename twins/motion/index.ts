// twins/motion/: rapier rigid-body twins with IMUs (a belt conveyor, a pick-and-place cell). Platform-free.
export { initPhysics, GRAVITY_MS2, type Rapier } from './physics';
export { MotionError, type MotionErrorCode } from './motion-error';
export { IMU_AXES, type ImuAxis } from './imu';
export { BeltSpeedPointSchema, type BeltSpeedPoint } from './belt-drive';
export {
  BeltSlipFaultSchema,
  JamFaultSchema,
  CollisionFaultSchema,
  ConveyorFaultSchema,
  RobotArmFaultSchema,
  MotionFaultSchema,
  type BeltSlipFault,
  type JamFault,
  type CollisionFault,
  type ConveyorFault,
  type RobotArmFault,
  type MotionFault,
  type ActiveFault,
} from './faults';
export { Conveyor, ConveyorSchema, ConveyorShape, type ConveyorConfig, type ConveyorSensor } from './conveyor';
export { RobotArm, RobotArmSchema, RobotArmShape, checkRobotArm, type RobotArmConfig, type RobotArmSensor } from './robot-arm';
