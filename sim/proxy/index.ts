// sim/proxy/: an MQTT-aware impairment proxy over real TCP, driven by the link model, and its HTTP control API.
export { startMqttProxy, type MqttProxy, type MqttProxyOptions, type MqttProxyCounters, type ProxyDirection, type LinkCountersSnapshot } from './mqtt-proxy';
export { startControlApi, type ControlApi, type ControlApiOptions, type ProxyView } from './control-api';
export { ProxyImpairmentsFileSchema, startingImpairments, type ProxyImpairmentsFile } from './config';
export { ProxyError } from './errors';
export type { ConnectionInfo } from './connection';
export type { DirectionCountersSnapshot } from './counters';
