import { mkdtemp, readFile, rm, stat, writeFile } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import {
  addDevice,
  createDeviceEntry,
  DeviceRegistry,
  generateHmacKey,
  loadRegistry,
  saveRegistry,
} from '../../../gateway/security/device-registry';
import { SecurityError } from '../../../gateway/security/errors';
import { ConfigError } from '../../../protocol';

let dir: string;
beforeAll(async () => {
  dir = await mkdtemp(join(tmpdir(), 'twinbed-registry-'));
});
afterAll(async () => {
  await rm(dir, { recursive: true, force: true });
});

const SECRET = 'pump-1-secret-0123456789abcdef';

describe('device registry', () => {
  it('saves a registry that never contains the plain secret, mode 0600, and loads it back to verify the secret', async () => {
    const key = generateHmacKey();
    const registry = addDevice(new DeviceRegistry(), await createDeviceEntry('pump-1', SECRET, { hmacKey: key, requireHmac: true }));
    const file = join(dir, 'devices.yaml');
    await saveRegistry(file, registry);

    const text = await readFile(file, 'utf8');
    expect(text).not.toContain(SECRET);
    expect(text).toMatch(/secretHash: scrypt\$16384\$8\$1\$/);
    expect(text).toMatch(/^# twinbed device registry\. SECRET/);
    expect((await stat(file)).mode & 0o777).toBe(0o600);

    const loaded = await loadRegistry(file);
    expect(await loaded.verifySecret('pump-1', SECRET)).toBe(true);
    expect(await loaded.verifySecret('pump-1', `${SECRET}x`)).toBe(false);
    expect(loaded.hmacKey('pump-1')).toEqual(key);
    expect(loaded.get('pump-1')?.requireHmac).toBe(true);
  });

  it('answers false, not an error, for a device that is not registered', async () => {
    expect(await new DeviceRegistry().verifySecret('ghost', SECRET)).toBe(false);
  });

  it('finds a device by its certificate CN, which defaults to its id', async () => {
    const registry = new DeviceRegistry([
      await createDeviceEntry('pump-1', SECRET),
      await createDeviceEntry('pump-2', SECRET, { cert: 'legacy-cn-7' }),
    ]);
    expect(registry.byCertName('pump-1')?.id).toBe('pump-1');
    expect(registry.byCertName('legacy-cn-7')?.id).toBe('pump-2');
    expect(registry.byCertName('pump-2')).toBeUndefined();
  });

  it('refuses to add a device id twice', async () => {
    const registry = new DeviceRegistry([await createDeviceEntry('pump-1', SECRET)]);
    expect(() => addDevice(registry, registry.get('pump-1')!)).toThrow(/already registered/);
  });

  it('refuses an id that cannot be a topic level, and a short secret', async () => {
    await expect(createDeviceEntry('pump/1', SECRET)).rejects.toThrow(SecurityError);
    await expect(createDeviceEntry('pump-1', 'short')).rejects.toThrow(/at least 16/);
  });

  it('names the file, line and field of a bad entry', async () => {
    const entry = await createDeviceEntry('pump-1', SECRET);
    const file = join(dir, 'bad.yaml');
    await writeFile(
      file,
      ['devices:', `  - id: pump-1`, `    secretHash: ${entry.secretHash}`, `  - id: pump-1`, `    secretHash: ${entry.secretHash}`, `    requireHmac: true`, ''].join('\n'),
    );
    const error = await loadRegistry(file).catch((e: unknown) => e);
    expect(error).toBeInstanceOf(ConfigError);
    expect((error as ConfigError).message).toContain(`${file}:4 devices[1].id: duplicate device id (also devices[0])`);
    expect((error as ConfigError).message).toContain(`${file}:6 devices[1].requireHmac: requireHmac needs an hmacKey`);
  });

  it('rejects a plain secret where the hash belongs', async () => {
    const file = join(dir, 'plain.json');
    await writeFile(file, JSON.stringify({ devices: [{ id: 'pump-1', secretHash: SECRET }] }));
    await expect(loadRegistry(file)).rejects.toThrow(/devices\[0\]\.secretHash: expected scrypt\$N\$r\$p\$salt\$hash/);
  });

  it('says how to create a registry that is missing', async () => {
    await expect(loadRegistry(join(dir, 'none.yaml'))).rejects.toThrow(/ENOENT.*twinbed certs/);
  });
});
