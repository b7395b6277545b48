import { readFile } from 'node:fs/promises';
import path from 'node:path';
import type { DeviceConnection } from './connection-config';
import type { SessionConnect } from './device-session';
import type { Dialect, DeviceIdentity } from './dialect';
import { FlatJsonDialect } from './flat-json-dialect';
import { SparkplugDialect } from './sparkplug-dialect';
import { expandTemplate } from './template';
import { TwinbedDialect } from './twinbed-dialect';

/** The dialect a connection's format asks for. `now` is the simulated clock, for timestamps a format adds itself. */
export function dialectFor(connection: DeviceConnection, id: DeviceIdentity, now: () => number): Dialect {
  const { format } = connection;
  const topics = {
    ...(connection.topic !== undefined ? { topic: connection.topic } : {}),
    ...(connection.commandTopic !== undefined ? { commandTopic: connection.commandTopic } : {}),
  };
  switch (format.type) {
    case 'twinbed':
      return new TwinbedDialect(id, { codec: format.codec, ...topics });
    case 'flat-json':
      return new FlatJsonDialect(id, format, topics);
    case 'sparkplug-b':
      return new SparkplugDialect(id, format, { now });
  }
}

/** Reads a file once per path, however many devices share it (a CA). */
type FileCache = Map<string, Promise<Buffer>>;

/**
 * What one device connects with: the URL, its client id, and its credentials read from their files. Paths are
 * relative to `baseDir` (the target file's folder).
 */
export async function sessionConnectFor(
  connection: DeviceConnection & { url: string },
  id: DeviceIdentity,
  baseDir: string,
  files: FileCache = new Map(),
): Promise<SessionConnect> {
  const read = (file: string) => {
    const full = path.resolve(baseDir, file);
    let content = files.get(full);
    if (!content) files.set(full, (content = readFile(full)));
    return content;
  };
  const auth = connection.auth;
  const values = { site: id.site, device: id.device, index: id.index };
  const connect: SessionConnect = {
    url: connection.url,
    protocolVersion: connection.protocolVersion,
    clientId: expandTemplate(connection.clientId, values),
    keepaliveS: connection.keepaliveS,
    clean: connection.clean,
    userProperties: connection.userProperties,
    maxInflight: connection.maxInflight,
    reconnectPeriodMs: connection.reconnectPeriodMs,
    connectTimeoutMs: connection.connectTimeoutMs,
    ...(connection.sessionExpiryS !== undefined ? { sessionExpiryS: connection.sessionExpiryS } : {}),
    ...(connection.messageExpiryS !== undefined ? { messageExpiryS: connection.messageExpiryS } : {}),
  };
  if (!auth) return connect;
  if (auth.username) connect.username = expandTemplate(auth.username, values);
  if (auth.password !== undefined) connect.password = expandTemplate(auth.password, values);
  if (auth.passwordFile) connect.password = (await read(expandTemplate(auth.passwordFile, values))).toString('utf8').replace(/\r?\n$/, '');
  const certFile = auth.certDir ? path.join(auth.certDir, `${id.device}.pem`) : auth.cert && expandTemplate(auth.cert, values);
  const keyFile = auth.certDir ? path.join(auth.certDir, `${id.device}.key`) : auth.key && expandTemplate(auth.key, values);
  const caFile = auth.ca ?? (auth.certDir ? path.join(auth.certDir, 'ca.pem') : undefined);
  if (certFile || caFile || !auth.rejectUnauthorized) {
    connect.tls = {
      rejectUnauthorized: auth.rejectUnauthorized,
      ...(caFile ? { ca: await read(caFile) } : {}),
      ...(certFile ? { cert: await read(certFile) } : {}),
      ...(keyFile ? { key: await read(keyFile) } : {}),
    };
  }
  return connect;
}
