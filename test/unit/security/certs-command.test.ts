import { X509Certificate } from 'node:crypto';
import { mkdtemp, readdir, readFile, rm, stat } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterEach, beforeEach, describe, expect, it } from 'vitest';
import { runCerts } from '../../../cli/certs';
import { loadRegistry } from '../../../gateway/security/device-registry';
import { ConfigError } from '../../../protocol';

let dir: string;
beforeEach(async () => {
  dir = await mkdtemp(join(tmpdir(), 'twinbed-certs-'));
});
afterEach(async () => {
  await rm(dir, { recursive: true, force: true });
});

function capture() {
  let text = '';
  return { io: { write: (t: string) => void (text += t), nowMs: Date.UTC(2030, 5, 1) }, text: () => text };
}

describe('twinbed certs', () => {
  it('writes a CA, a server certificate, a certificate per device and a registry, with keys and registry at 0600', async () => {
    const out = capture();
    await runCerts({ out: dir, site: 'plant-1', devices: ['pump-1', 'pump-2'] }, out.io);
    expect((await readdir(dir)).sort()).toEqual(['ca.key', 'ca.pem', 'devices.yaml', 'pump-1.key', 'pump-1.pem', 'pump-2.key', 'pump-2.pem', 'server.key', 'server.pem']);
    for (const secretFile of ['ca.key', 'server.key', 'pump-1.key', 'devices.yaml']) expect((await stat(join(dir, secretFile))).mode & 0o777, secretFile).toBe(0o600);
    const ca = new X509Certificate(await readFile(join(dir, 'ca.pem')));
    const device = new X509Certificate(await readFile(join(dir, 'pump-2.pem')));
    expect(device.subject).toContain('CN=pump-2');
    expect(device.checkIssued(ca)).toBe(true);
    expect(device.verify(ca.publicKey)).toBe(true);
    expect(new X509Certificate(await readFile(join(dir, 'server.pem'))).checkIP('127.0.0.1')).toBe('127.0.0.1');
  });

  it('prints each new secret once and stores only its hash; the printed secret logs the device in', async () => {
    const out = capture();
    const result = await runCerts({ out: dir, site: 'plant-1', devices: ['pump-1'] }, out.io);
    const { secret, hmacKey } = result.issued[0]!;
    expect(out.text()).toContain(`pump-1  secret=${secret}  hmacKey=${hmacKey}`);
    expect(out.text().split(secret)).toHaveLength(2);
    const registryText = await readFile(join(dir, 'devices.yaml'), 'utf8');
    expect(registryText).not.toContain(secret);
    expect(registryText).toContain(`hmacKey: ${hmacKey}`);
    const registry = await loadRegistry(join(dir, 'devices.yaml'));
    expect(await registry.verifySecret('pump-1', secret)).toBe(true);
  });

  it('re-run in the same folder reuses the CA, keeps registered devices and adds new ones', async () => {
    const first = await runCerts({ out: dir, site: 'plant-1', devices: ['pump-1'] }, capture().io);
    const caBefore = await readFile(join(dir, 'ca.pem'), 'utf8');
    const out = capture();
    const second = await runCerts({ out: dir, site: 'plant-1', devices: ['pump-1', 'pump-3'] }, out.io);
    expect(second).toMatchObject({ caReused: true, kept: ['pump-1'] });
    expect(second.issued.map((d) => d.device)).toEqual(['pump-3']);
    expect(await readFile(join(dir, 'ca.pem'), 'utf8')).toBe(caBefore);
    expect(out.text()).not.toContain(first.issued[0]!.secret);
    const registry = await loadRegistry(join(dir, 'devices.yaml'));
    expect(await registry.verifySecret('pump-1', first.issued[0]!.secret)).toBe(true);
    expect(registry.size).toBe(2);
  });

  it("refuses to issue into another site's CA folder", async () => {
    await runCerts({ out: dir, site: 'plant-1' }, capture().io);
    await expect(runCerts({ out: dir, site: 'plant-2' }, capture().io)).rejects.toThrow(/CA of site plant-1, not plant-2/);
  });

  it('names the bad flag', async () => {
    const error = await runCerts({ out: dir, site: 'plant-1', devices: ['ok', 'bad/id'], days: 0 }, capture().io).catch((e: unknown) => e);
    expect(error).toBeInstanceOf(ConfigError);
    expect((error as ConfigError).message).toContain('twinbed certs --devices[1]: use 1–64 letters');
    expect((error as ConfigError).message).toContain('twinbed certs --days:');
  });
});
