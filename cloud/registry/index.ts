// cloud/registry/: the devices and gateways the cloud has heard of, their shadows and their WoT Thing Descriptions.
export { DeviceRegistry, type DeviceRegistryOptions, type CommandSender, type DesiredUpdate, type ReportedSensor } from './device-registry';
export { shadowView, emptyShadow, type ShadowView } from './shadow-view';
export { mergePatch } from './json-merge-patch';
export { actionsOf, isRotatingMachine, MACHINE_ACTIONS, GATEWAY_ACTIONS, type ActionSpec } from './device-actions';
export {
  thingDescription,
  TD_CONTEXT,
  MQTT_VOCABULARY,
  type ThingDescription,
  type ThingDescriptionOptions,
  type PropertyAffordance,
  type ActionAffordance,
  type EventAffordance,
  type Form,
  type DataSchema,
} from './thing-description';
export { UnknownDeviceError, ShadowConflictError, ShadowPatchError } from './errors';
