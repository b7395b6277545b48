// gateway/security/: who may connect to the device-side broker, what each device may publish and subscribe to,
// TLS for that broker, the site PKI, and HMAC verification of signed device messages.
export { AuthError, AclError, IntegrityError, SecurityError, CONNACK, type IntegrityCode, type ConnackRefusal } from './errors';
export { hashSecret, verifySecret, generateSecret, parseScryptHash, SCRYPT_DEFAULTS } from './scrypt-secret';
export {
  DeviceRegistry,
  DeviceEntrySchema,
  DeviceRegistryFileSchema,
  createDeviceEntry,
  addDevice,
  generateHmacKey,
  parseRegistry,
  loadRegistry,
  saveRegistry,
  type DeviceEntry,
  type DeviceEntryInput,
  type DeviceRegistryFile,
} from './device-registry';
export { mayPublish, maySubscribe, type Principal, type AclOptions, type AclDecision } from './topic-acl';
export {
  brokerPolicy,
  createInternalCredential,
  type BrokerPolicy,
  type BrokerPolicyOptions,
  type ClientCertMode,
  type InternalCredential,
  type PolicyDenial,
} from './broker-policy';
export { deviceTlsServerOptions, loadTlsMaterial, type TlsMaterial, type DeviceTlsServerOptions } from './tls';
export { createSiteCa, loadSiteCa, issueServerCert, issueDeviceCert, type CertAndKey, type SiteCa, type Validity } from './pki';
export { ReplayWindow, type ReplayVerdict } from './replay-window';
export { IntegrityVerifier, hmacSha256, type IntegrityOptions } from './integrity';
export { connectInProcess, inProcessStream, duplexPair, type StreamHandler } from './in-process-link';
export {
  GatewaySecurityConfigSchema,
  resolveSecurityPaths,
  loadGatewaySecurity,
  buildGatewaySecurity,
  type GatewaySecurityConfig,
  type GatewaySecurityConfigInput,
  type GatewaySecurity,
} from './config';
