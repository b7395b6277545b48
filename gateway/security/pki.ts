import { isIP } from 'node:net';
import { webcrypto } from 'node:crypto';
import { SecurityError } from './errors';
import type * as X509 from '@peculiar/x509';
import { loadX509 } from './x509';

// A site PKI in three kinds of certificate (RFC 5280): a self-signed CA, the gateway's server certificate, and a
// client certificate per device whose CN is the device id. Keys are ECDSA P-256 (FIPS 186-4), which OpenSSL,
// mosquitto, mqtt.js and embedded TLS stacks all take; they are made with WebCrypto, not the openssl CLI.

const crypto = webcrypto as unknown as Crypto;
const KEY_ALGORITHM: EcKeyGenParams = { name: 'ECDSA', namedCurve: 'P-256' };
const SIGNING_ALGORITHM: EcdsaParams = { name: 'ECDSA', hash: 'SHA-256' };
const DAY_MS = 86_400_000;
/** notBefore is set this far back, so a device whose clock runs a little behind still accepts a new certificate. */
const CLOCK_SKEW_MS = 5 * 60_000;

export interface CertAndKey {
  /** The certificate, PEM. */
  certPem: string;
  /** Its private key, PKCS #8 PEM. */
  keyPem: string;
}

/** A CA that can issue: its PEM files plus the parsed certificate and private key. */
export interface SiteCa extends CertAndKey {
  readonly cert: X509.X509Certificate;
  readonly key: CryptoKey;
}

export interface Validity {
  /** Issue time, ms since the Unix epoch. */
  nowMs: number;
  /** Days the certificate is valid from nowMs. */
  days: number;
}

/** A new self-signed site CA, allowed to sign end-entity certificates only (pathLenConstraint 0). */
export async function createSiteCa(site: string, validity: Validity): Promise<SiteCa> {
  const x509 = await loadX509();
  const keys = (await crypto.subtle.generateKey(KEY_ALGORITHM, true, ['sign', 'verify'])) as CryptoKeyPair;
  const cert = await x509.X509CertificateGenerator.createSelfSigned(
    {
      name: [{ CN: [`twinbed ${site} CA`] }, { O: ['twinbed'] }, { OU: [site] }],
      ...dates(validity),
      signingAlgorithm: SIGNING_ALGORITHM,
      keys,
      extensions: [
        new x509.BasicConstraintsExtension(true, 0, true),
        new x509.KeyUsagesExtension(x509.KeyUsageFlags.keyCertSign | x509.KeyUsageFlags.cRLSign, true),
        await x509.SubjectKeyIdentifierExtension.create(keys.publicKey, false, crypto),
      ],
    },
    crypto,
  );
  return { cert, key: keys.privateKey, certPem: cert.toString('pem'), keyPem: await keyToPem(keys.privateKey) };
}

/** Loads an existing CA to issue more certificates; checks that it is a CA and that the key belongs to it. */
export async function loadSiteCa(certPem: string, keyPem: string): Promise<SiteCa> {
  const x509 = await loadX509();
  let cert: X509.X509Certificate;
  let key: CryptoKey;
  try {
    cert = new x509.X509Certificate(certPem);
    key = await crypto.subtle.importKey('pkcs8', x509.PemConverter.decodeFirst(keyPem), KEY_ALGORITHM, true, ['sign']);
  } catch (cause) {
    throw new SecurityError(`cannot read the CA certificate or key (${(cause as Error).message}); expected the PEM files \`twinbed certs\` wrote`, { cause });
  }
  if (!cert.getExtension(x509.BasicConstraintsExtension)?.ca) throw new SecurityError('the CA certificate is not a CA (basicConstraints cA is false)');
  const probe = new TextEncoder().encode('twinbed CA key check');
  const signature = await crypto.subtle.sign(SIGNING_ALGORITHM, key, probe);
  if (!(await crypto.subtle.verify(SIGNING_ALGORITHM, await cert.publicKey.export(KEY_ALGORITHM, ['verify'], crypto), signature, probe))) {
    throw new SecurityError('the CA key does not belong to the CA certificate; restore the matching pair or start a new output folder');
  }
  return { cert, key, certPem, keyPem };
}

/** The gateway's TLS server certificate; each host becomes a subjectAltName (IP or DNS), the first also the CN. */
export async function issueServerCert(ca: SiteCa, options: Validity & { site: string; hosts: readonly string[] }): Promise<CertAndKey> {
  const x509 = await loadX509();
  if (options.hosts.length === 0) throw new SecurityError('the server certificate needs at least one host (--hosts 127.0.0.1,localhost)');
  const names = options.hosts.map((host): X509.JsonGeneralName => {
    if (isIP(host)) return { type: 'ip', value: host };
    if (DNS_NAME.test(host)) return { type: 'dns', value: host.toLowerCase() };
    throw new SecurityError(`host ${JSON.stringify(host)} is neither an IP address nor a DNS name`);
  });
  return issue(ca, options, [{ CN: [options.hosts[0]!] }, { O: ['twinbed'] }, { OU: [options.site] }], [
    new x509.ExtendedKeyUsageExtension([x509.ExtendedKeyUsage.serverAuth], false),
    new x509.SubjectAlternativeNameExtension(names, false),
  ]);
}

/** A device's client certificate: CN = device id, usable only for TLS client authentication. */
export async function issueDeviceCert(ca: SiteCa, options: Validity & { site: string; device: string }): Promise<CertAndKey> {
  const x509 = await loadX509();
  return issue(ca, options, [{ CN: [options.device] }, { O: ['twinbed'] }, { OU: [options.site] }], [
    new x509.ExtendedKeyUsageExtension([x509.ExtendedKeyUsage.clientAuth], false),
  ]);
}

const DNS_NAME = /^(?=.{1,253}$)(?:[A-Za-z0-9](?:[A-Za-z0-9-]{0,61}[A-Za-z0-9])?\.)*[A-Za-z0-9](?:[A-Za-z0-9-]{0,61}[A-Za-z0-9])?$/;

async function issue(ca: SiteCa, validity: Validity, subject: X509.JsonName, extensions: X509.Extension[]): Promise<CertAndKey> {
  const x509 = await loadX509();
  const { notBefore, notAfter } = dates(validity);
  if (notAfter > ca.cert.notAfter) {
    throw new SecurityError(`a ${validity.days}-day certificate would outlive the site CA (valid until ${ca.cert.notAfter.toISOString()}); pass a smaller --days or issue a new CA in a new folder`);
  }
  const keys = (await crypto.subtle.generateKey(KEY_ALGORITHM, true, ['sign', 'verify'])) as CryptoKeyPair;
  const cert = await x509.X509CertificateGenerator.create(
    {
      subject,
      issuer: ca.cert.subject,
      notBefore,
      notAfter,
      signingAlgorithm: SIGNING_ALGORITHM,
      publicKey: keys.publicKey,
      signingKey: ca.key,
      extensions: [
        new x509.BasicConstraintsExtension(false, undefined, true),
        new x509.KeyUsagesExtension(x509.KeyUsageFlags.digitalSignature, true),
        ...extensions,
        await x509.SubjectKeyIdentifierExtension.create(keys.publicKey, false, crypto),
        await x509.AuthorityKeyIdentifierExtension.create(ca.cert, false, crypto),
      ],
    },
    crypto,
  );
  return { certPem: cert.toString('pem'), keyPem: await keyToPem(keys.privateKey) };
}

function dates({ nowMs, days }: Validity): { notBefore: Date; notAfter: Date } {
  if (!Number.isInteger(days) || days < 1) throw new SecurityError(`validity must be a whole number of days ≥ 1, got ${days}`);
  return { notBefore: new Date(nowMs - CLOCK_SKEW_MS), notAfter: new Date(nowMs + days * DAY_MS) };
}

async function keyToPem(key: CryptoKey): Promise<string> {
  const x509 = await loadX509();
  return x509.PemConverter.encode(await crypto.subtle.exportKey('pkcs8', key), 'PRIVATE KEY');
}
