import { mkdtemp, rm, writeFile } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { runCerts } from '../../../cli/certs';
import { GatewaySecurityConfigSchema, loadGatewaySecurity, resolveSecurityPaths } from '../../../gateway/security/config';
import { parseYamlConfig } from '../../../protocol';

let dir: string;
beforeAll(async () => {
  dir = await mkdtemp(join(tmpdir(), 'twinbed-security-config-'));
  await runCerts({ out: dir, site: 'plant-1', devices: ['pump-1'] }, { write: () => {}, nowMs: Date.now() });
});
afterAll(async () => {
  await rm(dir, { recursive: true, force: true });
});

describe('gateway security config', () => {
  it('fills defaults: TLS requires client certificates, a 1024-seq replay window, no truth', () => {
    const config = GatewaySecurityConfigSchema.parse({ registry: 'devices.yaml', tls: { cert: 's.pem', key: 's.key', ca: 'ca.pem' } });
    expect(config).toEqual({ registry: 'devices.yaml', tls: { cert: 's.pem', key: 's.key', ca: 'ca.pem', clientCert: 'require' }, replayWindow: 1024, allowTruth: false });
  });

  it('rejects a replay window that is not a multiple of 32 rather than rounding it, naming the line', () => {
    expect(() => parseYamlConfig('registry: d.yaml\nreplayWindow: 1000\n', 'gw.yaml', GatewaySecurityConfigSchema)).toThrow('gw.yaml:2 replayWindow: use a multiple of 32');
  });

  it('resolves paths against the gateway config folder', () => {
    const config = resolveSecurityPaths(GatewaySecurityConfigSchema.parse({ registry: 'certs/devices.yaml', tls: { cert: 'certs/server.pem', key: '/abs/server.key', ca: 'ca.pem' } }), '/etc/twinbed');
    expect([config.registry, config.tls?.cert, config.tls?.key, config.tls?.ca]).toEqual(['/etc/twinbed/certs/devices.yaml', '/etc/twinbed/certs/server.pem', '/abs/server.key', '/etc/twinbed/ca.pem']);
  });

  it('builds mutual-TLS server options from the files `twinbed certs` wrote', async () => {
    const security = await loadGatewaySecurity(
      GatewaySecurityConfigSchema.parse({ registry: join(dir, 'devices.yaml'), tls: { cert: join(dir, 'server.pem'), key: join(dir, 'server.key'), ca: join(dir, 'ca.pem') } }),
      'plant-1',
    );
    expect(security.tls).toMatchObject({ requestCert: true, rejectUnauthorized: true, minVersion: 'TLSv1.2' });
    expect(security.registry.get('pump-1')).toBeDefined();
    expect(security.internal.username).toBe('$twinbed-internal');
  });

  it('refuses a server key that does not match the certificate, before any device connects', async () => {
    const other = join(dir, 'other');
    await runCerts({ out: other, site: 'plant-1' }, { write: () => {}, nowMs: Date.now() });
    const config = GatewaySecurityConfigSchema.parse({ registry: join(dir, 'devices.yaml'), tls: { cert: join(dir, 'server.pem'), key: join(other, 'server.key'), ca: join(dir, 'ca.pem') } });
    await expect(loadGatewaySecurity(config, 'plant-1')).rejects.toThrow(/TLS certificate, key or CA is unusable .*twinbed certs/);
  });

  it('names a missing TLS file', async () => {
    await writeFile(join(dir, 'empty.yaml'), 'devices: []\n');
    const config = GatewaySecurityConfigSchema.parse({ registry: join(dir, 'empty.yaml'), tls: { cert: join(dir, 'nope.pem'), key: join(dir, 'server.key'), ca: join(dir, 'ca.pem') } });
    await expect(loadGatewaySecurity(config, 'plant-1')).rejects.toThrow(`${join(dir, 'nope.pem')}: cannot read the server certificate (ENOENT)`);
  });
});
