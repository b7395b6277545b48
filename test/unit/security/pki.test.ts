import { createPrivateKey, createPublicKey, X509Certificate } from 'node:crypto';
import { createSecureContext } from 'node:tls';
import { beforeAll, describe, expect, it } from 'vitest';
import { SecurityError } from '../../../gateway/security/errors';
import { createSiteCa, issueDeviceCert, issueServerCert, loadSiteCa, type SiteCa } from '../../../gateway/security/pki';

const NOW = Date.UTC(2030, 0, 15, 12);
let ca: SiteCa;
beforeAll(async () => {
  ca = await createSiteCa('plant-1', { nowMs: NOW, days: 3650 });
});

describe('site PKI', () => {
  it('issues a self-signed CA that Node reads as a CA', () => {
    const cert = new X509Certificate(ca.certPem);
    expect(cert.ca).toBe(true);
    expect(cert.subject).toContain('CN=twinbed plant-1 CA');
    expect(cert.verify(cert.publicKey)).toBe(true);
    expect(cert.checkIssued(cert)).toBe(true);
  });

  it('issues a server certificate the CA signed, with every host as a SAN and serverAuth only', async () => {
    const server = await issueServerCert(ca, { site: 'plant-1', hosts: ['127.0.0.1', 'localhost', '::1', 'gw.example.test'], nowMs: NOW, days: 30 });
    const cert = new X509Certificate(server.certPem);
    const caCert = new X509Certificate(ca.certPem);
    expect(cert.verify(caCert.publicKey)).toBe(true);
    expect(cert.checkIssued(caCert)).toBe(true); // "this certificate was issued by the given one"
    expect(cert.ca).toBe(false);
    expect(cert.checkIP('127.0.0.1')).toBe('127.0.0.1');
    expect(cert.checkIP('::1')).toBeDefined();
    expect(cert.checkHost('localhost')).toBe('localhost');
    expect(cert.checkHost('gw.example.test')).toBe('gw.example.test');
    expect(cert.checkHost('evil.example.test')).toBeUndefined();
    expect(cert.keyUsage).toEqual(['1.3.6.1.5.5.7.3.1']);
    expect(new Date(cert.validTo).getTime()).toBe(Math.floor((NOW + 30 * 86_400_000) / 1000) * 1000);
    expect(cert.checkPrivateKey(createPrivateKey(server.keyPem))).toBe(true);
    expect(() => createSecureContext({ cert: server.certPem, key: server.keyPem, ca: ca.certPem })).not.toThrow();
  });

  it('issues a device certificate with CN = device id, clientAuth only, that a different CA did not sign', async () => {
    const device = await issueDeviceCert(ca, { site: 'plant-1', device: 'pump-1', nowMs: NOW, days: 30 });
    const cert = new X509Certificate(device.certPem);
    expect(cert.subject.split('\n')).toEqual(['CN=pump-1', 'O=twinbed', 'OU=plant-1']);
    expect(cert.keyUsage).toEqual(['1.3.6.1.5.5.7.3.2']);
    expect(cert.verify(new X509Certificate(ca.certPem).publicKey)).toBe(true);
    const otherCa = await createSiteCa('plant-1', { nowMs: NOW, days: 3650 });
    expect(cert.verify(new X509Certificate(otherCa.certPem).publicKey)).toBe(false);
    expect(cert.checkIssued(new X509Certificate(ca.certPem))).toBe(true);
    expect(cert.checkIssued(new X509Certificate(otherCa.certPem))).toBe(false);
  });

  it('writes keys as PKCS #8 P-256, which OpenSSL-based clients read', async () => {
    const device = await issueDeviceCert(ca, { site: 'plant-1', device: 'pump-1', nowMs: NOW, days: 30 });
    expect(device.keyPem).toMatch(/^-----BEGIN PRIVATE KEY-----/);
    expect(createPublicKey(device.keyPem).asymmetricKeyDetails).toEqual({ namedCurve: 'prime256v1' });
  });

  it('reloads a CA from its PEM files and keeps issuing under it', async () => {
    const again = await loadSiteCa(ca.certPem, ca.keyPem);
    const device = await issueDeviceCert(again, { site: 'plant-1', device: 'pump-2', nowMs: NOW, days: 1 });
    expect(new X509Certificate(device.certPem).checkIssued(new X509Certificate(ca.certPem))).toBe(true);
  });

  it("refuses a CA key that is not the CA certificate's", async () => {
    const other = await createSiteCa('plant-1', { nowMs: NOW, days: 3650 });
    await expect(loadSiteCa(ca.certPem, other.keyPem)).rejects.toThrow(/does not belong to the CA certificate/);
  });

  it('refuses a certificate that would outlive its CA, and a host that is neither IP nor DNS name', async () => {
    await expect(issueDeviceCert(ca, { site: 'plant-1', device: 'pump-1', nowMs: NOW, days: 4000 })).rejects.toThrow(/outlive the site CA/);
    await expect(issueServerCert(ca, { site: 'plant-1', hosts: ['not a host'], nowMs: NOW, days: 1 })).rejects.toThrow(SecurityError);
  });
});
