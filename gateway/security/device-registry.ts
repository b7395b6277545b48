import { randomBytes } from 'node:crypto';
import { chmod, readFile, rename, writeFile } from 'node:fs/promises';
import { stringify } from 'yaml';
import { z } from 'zod';
import { base64ToBytes, ConfigError, IdSchema, parseYamlConfig } from '../../protocol';
import { SecurityError } from './errors';
import { generateSecret, hashSecret, ScryptHashSchema, verifySecret } from './scrypt-secret';

const Base64Key32Schema = z.string().regex(/^[A-Za-z0-9+/]{43}=$/, 'expected 32 bytes in base64 (44 characters ending in "=")');

export const DeviceEntrySchema = z
  .object({
    id: IdSchema.describe('Device id: its MQTT username and the {device} level of its topics. Required.'),
    secretHash: ScryptHashSchema.describe('scrypt$N$r$p$salt$hash of the device secret (salt and hash in base64); never the secret. Required.'),
    hmacKey: Base64Key32Schema.optional().describe('HMAC-SHA256 key for signed messages, base64 of 32 bytes. Default: none (the device cannot sign).'),
    requireHmac: z.boolean().default(false).describe('Dead-letter unsigned messages from this device. Default false.'),
    cert: z.string().min(1).max(64).optional().describe('Client-certificate CN expected under mutual TLS. Default: the device id.'),
  })
  .strict();

export const DeviceRegistryFileSchema = z
  .object({
    devices: z.array(DeviceEntrySchema).default([]).describe('Registered devices. Default: none.'),
  })
  .strict()
  .superRefine(({ devices }, ctx) => {
    const ids = new Map<string, number>();
    const certs = new Map<string, number>();
    devices.forEach((device, i) => {
      const sameId = ids.get(device.id);
      if (sameId !== undefined) ctx.addIssue({ code: 'custom', path: ['devices', i, 'id'], message: `duplicate device id (also devices[${sameId}]); remove one entry` });
      ids.set(device.id, i);
      const name = device.cert ?? device.id;
      const sameCert = certs.get(name);
      if (sameCert !== undefined) ctx.addIssue({ code: 'custom', path: ['devices', i, 'cert'], message: `certificate CN "${name}" also belongs to devices[${sameCert}]; each device needs its own` });
      certs.set(name, i);
      if (device.requireHmac && !device.hmacKey) ctx.addIssue({ code: 'custom', path: ['devices', i, 'requireHmac'], message: 'requireHmac needs an hmacKey for the device' });
    });
  });

export type DeviceEntry = z.output<typeof DeviceEntrySchema>;
export type DeviceEntryInput = z.input<typeof DeviceEntrySchema>;
export type DeviceRegistryFile = z.output<typeof DeviceRegistryFileSchema>;

/** Written at the top of every saved registry: the file authenticates devices and holds their HMAC keys. */
const HEADER = [
  '# twinbed device registry. SECRET: it holds each device\'s HMAC key (symmetric, so the gateway needs it), and',
  '# whoever has it can forge signed telemetry. Keep it mode 0600, out of version control and off shared disks.',
  '# Secrets are stored only as scrypt hashes. Edit with `twinbed certs --devices …`.',
].join('\n');

/** The registered devices, looked up by id and by certificate CN. Immutable: `addDevice` returns a new one. */
export class DeviceRegistry {
  readonly #byId = new Map<string, DeviceEntry>();
  readonly #byCert = new Map<string, DeviceEntry>();
  readonly #keys = new Map<string, Uint8Array>();
  #dummyHash: Promise<string> | undefined;

  /** Validates like a registry file would (duplicate ids and CNs, requireHmac without a key). */
  constructor(devices: readonly DeviceEntryInput[] = []) {
    const result = DeviceRegistryFileSchema.safeParse({ devices });
    if (!result.success) {
      const issue = result.error.issues[0]!;
      throw new SecurityError(`invalid device registry at ${issue.path.join('.')}: ${issue.message}`);
    }
    for (const device of result.data.devices) {
      this.#byId.set(device.id, device);
      this.#byCert.set(device.cert ?? device.id, device);
      if (device.hmacKey) this.#keys.set(device.id, base64ToBytes(device.hmacKey));
    }
  }

  get size(): number {
    return this.#byId.size;
  }

  get(id: string): DeviceEntry | undefined {
    return this.#byId.get(id);
  }

  /** The device a verified client certificate with this CN belongs to. */
  byCertName(commonName: string): DeviceEntry | undefined {
    return this.#byCert.get(commonName);
  }

  devices(): readonly DeviceEntry[] {
    return [...this.#byId.values()];
  }

  /** The device's HMAC key, or undefined when it has none. */
  hmacKey(id: string): Uint8Array | undefined {
    return this.#keys.get(id);
  }

  /**
   * Checks a device secret. An unknown id still costs one scrypt, so response time does not reveal which ids
   * exist. Matches the gateway's `DeviceAuthenticator` for HTTP and CoAP.
   */
  async verifySecret(id: string, secret: string): Promise<boolean> {
    const device = this.#byId.get(id);
    if (device) return verifySecret(secret, device.secretHash);
    this.#dummyHash ??= hashSecret(generateSecret());
    await verifySecret(secret, await this.#dummyHash);
    return false;
  }

  toFile(): DeviceRegistryFile {
    return { devices: this.devices().map((d) => ({ ...d })) };
  }
}

/** A fresh 32-byte HMAC-SHA256 key. */
export function generateHmacKey(): Uint8Array {
  return new Uint8Array(randomBytes(32));
}

/** A registry entry for a device from its plain secret (hashed here; the secret is not kept). */
export async function createDeviceEntry(
  id: string,
  secret: string,
  options: { hmacKey?: Uint8Array; requireHmac?: boolean; cert?: string } = {},
): Promise<DeviceEntry> {
  const checked = IdSchema.safeParse(id);
  if (!checked.success) throw new SecurityError(`device id ${JSON.stringify(id)}: ${checked.error.issues[0]!.message}`);
  if (secret.length < 16) throw new SecurityError(`the secret for ${id} is ${secret.length} characters; use at least 16 (generateSecret() makes 43)`);
  if (options.hmacKey && options.hmacKey.length !== 32) throw new SecurityError(`the HMAC key for ${id} is ${options.hmacKey.length} bytes; use 32 (generateHmacKey())`);
  if (options.requireHmac && !options.hmacKey) throw new SecurityError(`${id}: requireHmac needs an hmacKey`);
  return {
    id,
    secretHash: await hashSecret(secret),
    ...(options.hmacKey ? { hmacKey: Buffer.from(options.hmacKey).toString('base64') } : {}),
    requireHmac: options.requireHmac ?? false,
    ...(options.cert ? { cert: options.cert } : {}),
  };
}

/** A registry with `entry` added; refuses an id (or certificate CN) that is already registered. */
export function addDevice(registry: DeviceRegistry, entry: DeviceEntry): DeviceRegistry {
  if (registry.get(entry.id)) throw new SecurityError(`device ${entry.id} is already registered; remove its entry from the registry first to re-issue it`);
  return new DeviceRegistry([...registry.devices(), entry]);
}

/** Parses registry text (YAML or JSON); errors name the file, line and field. */
export function parseRegistry(text: string, file: string): DeviceRegistry {
  return new DeviceRegistry(parseYamlConfig(text, file, DeviceRegistryFileSchema).devices);
}

export async function loadRegistry(file: string): Promise<DeviceRegistry> {
  let text: string;
  try {
    text = await readFile(file, 'utf8');
  } catch (error) {
    const why = (error as NodeJS.ErrnoException).code ?? (error as Error).message;
    throw new ConfigError(file, [{ path: '', message: `cannot read the device registry (${why}); create it with \`twinbed certs --out DIR --site SITE --devices …\`` }]);
  }
  return parseRegistry(text, file);
}

/** Writes the registry as YAML, mode 0600, replacing the file in one rename so a reader never sees half of it. */
export async function saveRegistry(file: string, registry: DeviceRegistry): Promise<void> {
  const temp = `${file}.${process.pid}.tmp`;
  await writeFile(temp, `${HEADER}\n${stringify(registry.toFile(), { lineWidth: 0 })}`, { mode: 0o600 });
  await chmod(temp, 0o600); // writeFile's mode is masked by the umask
  await rename(temp, file);
}
