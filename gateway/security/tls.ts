import { readFile } from 'node:fs/promises';
import { createSecureContext, type TlsOptions } from 'node:tls';
import { ConfigError } from '../../protocol';
import type { ClientCertMode } from './broker-policy';
import { SecurityError } from './errors';

/** PEM text of the gateway's server certificate, its key, and the site CA that issued the device certificates. */
export interface TlsMaterial {
  cert: string;
  key: string;
  ca: string;
}

/** Options for `tls.createServer` on the device side, with the two mutual-TLS switches always spelled out. */
export interface DeviceTlsServerOptions extends TlsOptions {
  cert: string;
  key: string;
  ca: string;
  requestCert: boolean;
  rejectUnauthorized: boolean;
}

/**
 * `tls.createServer` options for the device-side broker. Client certificates per `clientCert`:
 * `ignore` never asks for one; `accept` asks, lets the handshake finish without one and leaves the judgement to
 * the broker policy (which refuses a certificate that did not verify); `require` refuses the handshake without a
 * certificate from the site CA (RFC 8446 §4.4.2.4), so such a client never reaches MQTT at all.
 * Throws SecurityError if the key does not match the certificate or a PEM does not parse.
 */
export function deviceTlsServerOptions(material: TlsMaterial, clientCert: ClientCertMode): DeviceTlsServerOptions {
  const options: DeviceTlsServerOptions = {
    cert: material.cert,
    key: material.key,
    ca: material.ca,
    minVersion: 'TLSv1.2',
    requestCert: clientCert !== 'ignore',
    rejectUnauthorized: clientCert === 'require',
  };
  try {
    createSecureContext(options);
  } catch (cause) {
    throw new SecurityError(`the gateway's TLS certificate, key or CA is unusable (${(cause as Error).message}); re-issue them with \`twinbed certs\``, { cause });
  }
  return options;
}

/** Reads the three PEM files; a missing file is a ConfigError that names it. */
export async function loadTlsMaterial(files: { cert: string; key: string; ca: string }): Promise<TlsMaterial> {
  const read = async (file: string, what: string) => {
    try {
      return await readFile(file, 'utf8');
    } catch (error) {
      const why = (error as NodeJS.ErrnoException).code ?? (error as Error).message;
      throw new ConfigError(file, [{ path: '', message: `cannot read the ${what} (${why}); \`twinbed certs\` writes it` }]);
    }
  };
  const [cert, key, ca] = await Promise.all([
    read(files.cert, 'server certificate'),
    read(files.key, 'server key'),
    read(files.ca, 'site CA certificate'),
  ]);
  return { cert, key, ca };
}
