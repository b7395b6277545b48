import { mkdtemp, mkdir, rm, writeFile } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { DeviceConnectionSchema, sessionConnectFor, type DeviceConnectionInput, type DeviceIdentity } from '../../../../twins/index';

const id = (device: string, index = 0): DeviceIdentity => ({ site: 'plant-a', device, index, sensors: [] });
const connection = (input: Omit<DeviceConnectionInput, 'url'>) => ({ ...DeviceConnectionSchema.parse({ url: 'mqtts://broker:8883', ...input }), url: 'mqtts://broker:8883' });

describe('sessionConnectFor: what each device connects with', () => {
  let dir: string;

  beforeAll(async () => {
    dir = await mkdtemp(join(tmpdir(), 'twinbed-session-factory-'));
    await mkdir(join(dir, 'certs'));
    await mkdir(join(dir, 'secrets'));
    for (const device of ['pump-1', 'pump-2']) {
      await writeFile(join(dir, 'certs', `${device}.pem`), `CERT ${device}`);
      await writeFile(join(dir, 'certs', `${device}.key`), `KEY ${device}`);
      await writeFile(join(dir, 'secrets', `${device}.txt`), `secret-of-${device}\n`);
    }
    await writeFile(join(dir, 'certs', 'ca.pem'), 'SITE CA');
  });

  afterAll(async () => {
    await rm(dir, { recursive: true, force: true });
  });

  it('expands the client id template per device, with its fleet index', async () => {
    const connect = await sessionConnectFor(connection({ clientId: 'gw7-{site}-{device}-{index}' }), id('pump-2', 41), dir);
    expect(connect.clientId).toBe('gw7-plant-a-pump-2-41');
    expect(connect.tls).toBeUndefined();
    expect(connect.username).toBeUndefined();
  });

  it('reads each device\'s certificate and key, and the CA, from a certDir as twinbed certs writes it', async () => {
    const c = connection({ auth: { certDir: 'certs', username: '{device}', passwordFile: 'secrets/{device}.txt' } });
    const [one, two] = await Promise.all([sessionConnectFor(c, id('pump-1'), dir), sessionConnectFor(c, id('pump-2'), dir)]);
    expect(one.tls).toEqual({ rejectUnauthorized: true, ca: Buffer.from('SITE CA'), cert: Buffer.from('CERT pump-1'), key: Buffer.from('KEY pump-1') });
    expect(two.tls?.cert?.toString()).toBe('CERT pump-2');
    // The password file's trailing newline is not part of the secret.
    expect([one.username, one.password, two.username, two.password]).toEqual(['pump-1', 'secret-of-pump-1', 'pump-2', 'secret-of-pump-2']);
  });

  it('takes per-device certificate templates and a literal password template', async () => {
    const c = connection({ auth: { cert: 'certs/{device}.pem', key: 'certs/{device}.key', ca: 'certs/ca.pem', password: 'pw-{device}', rejectUnauthorized: false } });
    const connect = await sessionConnectFor(c, id('pump-1'), dir);
    expect(connect.tls).toEqual({ rejectUnauthorized: false, ca: Buffer.from('SITE CA'), cert: Buffer.from('CERT pump-1'), key: Buffer.from('KEY pump-1') });
    expect(connect.password).toBe('pw-pump-1');
  });

  it('fails on a missing credential file, naming it', async () => {
    const c = connection({ auth: { passwordFile: 'secrets/{device}.txt' } });
    await expect(sessionConnectFor(c, id('pump-9'), dir)).rejects.toThrow(/secrets\/pump-9\.txt/);
  });

  it('refuses credential settings that contradict each other when the file loads', () => {
    expect(() => DeviceConnectionSchema.parse({ auth: { certDir: 'certs', cert: 'a.pem', key: 'a.key' } })).toThrow(/set certDir, or cert and key, not both/);
    expect(() => DeviceConnectionSchema.parse({ auth: { cert: 'a.pem' } })).toThrow(/cert and key go together/);
    expect(() => DeviceConnectionSchema.parse({ auth: { password: 'x', passwordFile: 'y' } })).toThrow(/set password or passwordFile, not both/);
    expect(() => DeviceConnectionSchema.parse({ messageExpiryS: 60 })).toThrow(/messageExpiryS is an MQTT 5 property; set protocolVersion: 5/);
    expect(() => DeviceConnectionSchema.parse({ clientId: 'twin-{devce}' })).toThrow(/unknown placeholder \{devce\}/);
  });
});
