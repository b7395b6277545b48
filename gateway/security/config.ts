import path from 'node:path';
import { z } from 'zod';
import {
  brokerPolicy,
  createInternalCredential,
  type BrokerPolicy,
  type ClientCertMode,
  type InternalCredential,
  type PolicyDenial,
} from './broker-policy';
import { loadRegistry, type DeviceRegistry } from './device-registry';
import { IntegrityVerifier } from './integrity';
import { deviceTlsServerOptions, loadTlsMaterial, type DeviceTlsServerOptions } from './tls';

/** The `security:` section of a gateway config. Paths are relative to the gateway config file. */
export const GatewaySecurityConfigSchema = z
  .object({
    registry: z.string().min(1).describe('Device registry file (devices.yaml from `twinbed certs`); secret, keep it 0600. Required.'),
    tls: z
      .object({
        cert: z.string().min(1).describe('Gateway server certificate, PEM (server.pem from `twinbed certs`). Required.'),
        key: z.string().min(1).describe('Its private key, PEM (server.key). Required.'),
        ca: z.string().min(1).describe('Site CA certificate that issued the device certificates, PEM (ca.pem). Required.'),
        clientCert: z
          .enum(['ignore', 'accept', 'require'])
          .default('require')
          .describe('Device client certificates: ignore (password only), accept (certificate or password), require (certificate and password). Default require.'),
      })
      .strict()
      .optional()
      .describe('Serve devices over TLS (mqtts://). Default: plain TCP (credentials then cross the network in clear).'),
    replayWindow: z
      .number()
      .int()
      .min(32)
      .max(65_536)
      .multipleOf(32, 'use a multiple of 32')
      .default(1024)
      .describe('Telemetry seqs remembered per device and sensor for replay detection of signed messages. Default 1024.'),
    allowTruth: z.boolean().default(false).describe('Let devices publish their own ground truth (simulated twins do). Default false.'),
  })
  .strict();

export type GatewaySecurityConfig = z.output<typeof GatewaySecurityConfigSchema>;
export type GatewaySecurityConfigInput = z.input<typeof GatewaySecurityConfigSchema>;

/** The section with its file paths made relative to `baseDir` (the gateway config file's folder). */
export function resolveSecurityPaths(security: GatewaySecurityConfig, baseDir: string): GatewaySecurityConfig {
  const at = (file: string) => path.resolve(baseDir, file);
  return {
    ...security,
    registry: at(security.registry),
    ...(security.tls ? { tls: { ...security.tls, cert: at(security.tls.cert), key: at(security.tls.key), ca: at(security.tls.ca) } } : {}),
  };
}

/** Everything the gateway wires in, built from one `security:` section. */
export interface GatewaySecurity {
  registry: DeviceRegistry;
  /** Credential of the gateway's own broker clients (its edge subscriber), new for this run. */
  internal: InternalCredential;
  /** aedes hooks: spread into the broker options. */
  policy: BrokerPolicy;
  /** `tls.createServer` options for the device-side broker; undefined for plain TCP. */
  tls: DeviceTlsServerOptions | undefined;
  verifier: IntegrityVerifier;
}

/** Reads the registry and TLS files the section names and builds the policy, TLS options and verifier. */
export async function loadGatewaySecurity(
  security: GatewaySecurityConfig,
  site: string,
  onDenied?: (denial: PolicyDenial) => void,
): Promise<GatewaySecurity> {
  const registry = await loadRegistry(security.registry);
  const clientCert = security.tls?.clientCert ?? 'ignore';
  const tls = security.tls ? deviceTlsServerOptions(await loadTlsMaterial(security.tls), clientCert) : undefined;
  return buildGatewaySecurity(registry, site, { tls, clientCert, replayWindow: security.replayWindow, allowTruth: security.allowTruth, onDenied });
}

/**
 * The same from objects already in memory, for a scenario stack that registers its twins on the fly instead of
 * reading files. Each call makes a new internal credential.
 */
export function buildGatewaySecurity(
  registry: DeviceRegistry,
  site: string,
  options: {
    /** `tls.createServer` options (deviceTlsServerOptions); undefined for plain TCP. */
    tls?: DeviceTlsServerOptions | undefined;
    /** Default: `ignore`. */
    clientCert?: ClientCertMode;
    /** Default 1024. */
    replayWindow?: number;
    /** Default false. */
    allowTruth?: boolean;
    onDenied?: ((denial: PolicyDenial) => void) | undefined;
  } = {},
): GatewaySecurity {
  const internal = createInternalCredential();
  const { tls, clientCert = 'ignore', replayWindow = 1024, allowTruth = false, onDenied } = options;
  const policy = brokerPolicy(registry, site, { internal, clientCert, allowTruth, ...(onDenied ? { onDenied } : {}) });
  return { registry, internal, policy, tls, verifier: new IntegrityVerifier(registry, { replayWindow }) };
}
