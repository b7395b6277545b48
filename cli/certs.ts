import { existsSync } from 'node:fs';
import { chmod, mkdir, readFile, writeFile } from 'node:fs/promises';
import path from 'node:path';
import { z } from 'zod';
import {
  addDevice,
  createDeviceEntry,
  createSiteCa,
  DeviceRegistry,
  generateHmacKey,
  generateSecret,
  issueDeviceCert,
  issueServerCert,
  loadRegistry,
  loadSiteCa,
  saveRegistry,
  SecurityError,
  type SiteCa,
} from '../gateway';
import { ConfigError, IdSchema } from '../protocol';

export const CertsOptionsSchema = z
  .object({
    out: z.string().min(1).describe('Output folder; created if missing, its CA and registry reused if present. Required.'),
    site: IdSchema.describe('Site name, written into every certificate (OU). Required.'),
    devices: z.array(IdSchema).default([]).describe('Device ids to register and issue client certificates for. Default: none.'),
    hosts: z.array(z.string().min(1)).min(1).default(['127.0.0.1', 'localhost']).describe('Names devices reach the gateway by (server certificate SANs). Default 127.0.0.1,localhost.'),
    days: z.number().int().min(1).max(36_500).default(365).describe('Validity of the server and device certificates, in days. Default 365.'),
  })
  .strict();

export type CertsOptions = z.input<typeof CertsOptionsSchema>;

/** What was written, for tests and callers; the secrets appear here and on stdout only. */
export interface CertsResult {
  dir: string;
  caReused: boolean;
  issued: { device: string; secret: string; hmacKey: string }[];
  kept: string[];
}

export interface CertsIo {
  write(text: string): void;
  /** Issue time, ms since the Unix epoch. */
  nowMs: number;
}

/** A new CA lives at least ten years, so adding a device next year does not mean re-keying the whole site. */
const CA_DAYS = 3650;

/**
 * `twinbed certs`: a site CA, the gateway's server certificate, a client certificate per device, and the device
 * registry with a fresh secret and HMAC key per new device. Re-running in the same folder reuses the CA, keeps
 * registered devices (their secrets cannot be shown again) and adds the new ones.
 */
export async function runCerts(input: CertsOptions, io: CertsIo = { write: (text) => void process.stdout.write(text), nowMs: Date.now() }): Promise<CertsResult> {
  const parsed = CertsOptionsSchema.safeParse(input);
  if (!parsed.success) {
    const flag = (path: readonly PropertyKey[]) => `--${String(path[0] ?? '')}${path.length > 1 ? `[${String(path[1])}]` : ''}`;
    throw new ConfigError('twinbed certs', parsed.error.issues.map((i) => ({ path: flag(i.path), message: i.message })));
  }
  const options = parsed.data;
  const dir = path.resolve(options.out);
  const at = (name: string) => path.join(dir, name);
  await mkdir(dir, { recursive: true, mode: 0o700 });

  const { ca, reused: caReused } = await siteCa(dir, options.site, io.nowMs, Math.max(CA_DAYS, options.days));
  const server = await issueServerCert(ca, { site: options.site, hosts: options.hosts, nowMs: io.nowMs, days: options.days });
  await writePair(at('server.pem'), at('server.key'), server);

  const registryFile = at('devices.yaml');
  let registry = existsSync(registryFile) ? await loadRegistry(registryFile) : new DeviceRegistry();
  const issued: CertsResult['issued'] = [];
  const kept: string[] = [];
  const lines: string[] = [];
  for (const device of new Set(options.devices)) {
    const certFile = at(`${device}.pem`);
    if (registry.get(device)) {
      kept.push(device);
      if (existsSync(certFile)) {
        lines.push(row(`${device}`, 'already registered: kept its secret, HMAC key and certificate'));
        continue;
      }
    } else {
      const secret = generateSecret();
      const hmacKey = generateHmacKey();
      registry = addDevice(registry, await createDeviceEntry(device, secret, { hmacKey }));
      issued.push({ device, secret, hmacKey: Buffer.from(hmacKey).toString('base64') });
    }
    await writePair(certFile, at(`${device}.key`), await issueDeviceCert(ca, { site: options.site, device, nowMs: io.nowMs, days: options.days }));
    lines.push(row(`${device}.pem, ${device}.key`, `client certificate CN=${device}${kept.includes(device) ? ' (re-issued; secret kept)' : ''}`));
  }
  await saveRegistry(registryFile, registry);

  const until = (days: number) => new Date(io.nowMs + days * 86_400_000).toISOString().slice(0, 10);
  io.write(
    [
      `twinbed certs: site ${options.site} → ${dir}`,
      row('ca.pem, ca.key', `site CA, ${caReused ? 'reused' : `new, valid until ${until(CA_DAYS)}`}`),
      row('server.pem, server.key', `gateway certificate for ${options.hosts.join(', ')}, valid until ${until(options.days)}`),
      ...lines,
      row('devices.yaml', `device registry, ${registry.size} device${registry.size === 1 ? '' : 's'} (SECRET: holds the HMAC keys; mode 0600)`),
      '',
      ...(issued.length > 0
        ? [
            'Device credentials, shown only now (the registry keeps a scrypt hash of each secret, and the HMAC keys):',
            ...issued.map((d) => `  ${d.device}  secret=${d.secret}  hmacKey=${d.hmacKey}`),
            '',
          ]
        : []),
      'Gateway config:',
      '  security:',
      `    registry: ${registryFile}`,
      `    tls: { cert: ${at('server.pem')}, key: ${at('server.key')}, ca: ${at('ca.pem')}, clientCert: require }`,
      '',
    ].join('\n'),
  );
  return { dir, caReused, issued, kept };
}

async function siteCa(dir: string, site: string, nowMs: number, days: number): Promise<{ ca: SiteCa; reused: boolean }> {
  const certFile = path.join(dir, 'ca.pem');
  const keyFile = path.join(dir, 'ca.key');
  const [hasCert, hasKey] = [existsSync(certFile), existsSync(keyFile)];
  if (hasCert !== hasKey) throw new SecurityError(`${dir} has ${hasCert ? 'ca.pem but no ca.key' : 'ca.key but no ca.pem'}; restore the missing file or use an empty folder`);
  if (hasCert) {
    const ca = await loadSiteCa(await readFile(certFile, 'utf8'), await readFile(keyFile, 'utf8'));
    const caSite = ca.cert.subjectName.getField('OU')[0];
    if (caSite !== site) throw new SecurityError(`${certFile} is the CA of site ${caSite ?? '(none)'}, not ${site}; use --site ${caSite ?? '…'} or another folder`);
    return { ca, reused: true };
  }
  const ca = await createSiteCa(site, { nowMs, days });
  await writePair(certFile, keyFile, ca);
  return { ca, reused: false };
}

/** Certificates are public (0644); keys readable by their owner only (0600, whatever the umask). */
async function writePair(certFile: string, keyFile: string, pair: { certPem: string; keyPem: string }): Promise<void> {
  await writeFile(certFile, pair.certPem.endsWith('\n') ? pair.certPem : `${pair.certPem}\n`, { mode: 0o644 });
  await writeFile(keyFile, pair.keyPem.endsWith('\n') ? pair.keyPem : `${pair.keyPem}\n`, { mode: 0o600 });
  await chmod(keyFile, 0o600);
}

function row(files: string, what: string): string {
  return `  ${files.padEnd(28)} ${what}`;
}

/** commander parser for comma-separated lists (`--devices a,b,c`). */
export function parseList(value: string): string[] {
  return value
    .split(',')
    .map((item) => item.trim())
    .filter((item) => item.length > 0);
}
