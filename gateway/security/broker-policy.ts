import { createHash, randomBytes, timingSafeEqual } from 'node:crypto';
import { TLSSocket } from 'node:tls';
import type { AedesOptions, AuthenticateError, Client } from 'aedes';
import { AclError, AuthError, CONNACK } from './errors';
import type { DeviceRegistry } from './device-registry';
import { mayPublish, maySubscribe, type AclDecision, type AclOptions, type Principal } from './topic-acl';

/** How a client certificate (mutual TLS) takes part in authentication. */
export type ClientCertMode = 'ignore' | 'accept' | 'require';

/**
 * The gateway's own broker clients (its edge subscriber) log in with this: a random password made for one run,
 * never written to disk. The username starts with `$`, which no device id can (see IdSchema).
 */
export interface InternalCredential {
  readonly username: string;
  readonly password: string;
}

export function createInternalCredential(): InternalCredential {
  return { username: '$twinbed-internal', password: randomBytes(32).toString('base64url') };
}

/** A refused connect, publish or subscribe, for the gateway's log and counters. */
export interface PolicyDenial {
  action: 'connect' | 'publish' | 'subscribe';
  clientId: string;
  /** The device the client authenticated as, when it had. */
  device?: string;
  topic?: string;
  reason: string;
}

export interface BrokerPolicyOptions {
  /** Credential of the gateway's own clients, from createInternalCredential(). Required: there is no implicit bypass. */
  internal: InternalCredential;
  /**
   * Client certificates: `ignore` (password only), `accept` (a verified certificate with a registered CN logs in
   * without a password; a password alone still works), `require` (certificate and password both). Default `ignore`.
   */
  clientCert?: ClientCertMode;
  /** Let devices publish their own ground truth (`twinbed-truth/v1/{site}/{id}`), as simulated twins do. Default false. */
  allowTruth?: boolean;
  /**
   * Require a device's MQTT client id to be its id or `twinbed-{site}-{id}`, so no device can take over another's
   * session ([MQTT-3.1.4-2]: a second CONNECT with the same id disconnects the first). Default true.
   */
  bindClientId?: boolean;
  /** Called for every refusal; errors thrown here are not caught. Default: none. */
  onDenied?: (denial: PolicyDenial) => void;
}

export type BrokerPolicy = Required<Pick<AedesOptions, 'authenticate' | 'authorizePublish' | 'authorizeSubscribe'>>;

/**
 * aedes hooks that admit only registered devices (and the gateway's own clients) and confine each device to its
 * own topics. Pass them to `Aedes.createBroker({ ...brokerPolicy(registry, site, options) })`.
 */
export function brokerPolicy(registry: DeviceRegistry, site: string, options: BrokerPolicyOptions): BrokerPolicy {
  const { internal, clientCert = 'ignore', allowTruth = false, bindClientId = true, onDenied } = options;
  const acl: AclOptions = { site, allowTruth };
  const principals = new WeakMap<Client, Principal>();
  const internalClientIds = new Set<string>();
  const internalDigest = sha256(internal.password);

  async function identify(client: Client, username: string | undefined, password: Buffer | undefined): Promise<Principal> {
    if (username === internal.username) {
      // Equal-length digests, so the comparison time says nothing about the password.
      if (!password || !timingSafeEqual(sha256(password), internalDigest)) {
        throw new AuthError(CONNACK.BAD_USERNAME_OR_PASSWORD, 'wrong password for the internal client');
      }
      internalClientIds.add(client.id);
      return { kind: 'internal' };
    }
    const cert = clientCert === 'ignore' ? undefined : peerCertificate(client);
    if (cert?.problem) throw new AuthError(CONNACK.NOT_AUTHORIZED, cert.problem);
    if (clientCert === 'require' && !cert) {
      throw new AuthError(CONNACK.NOT_AUTHORIZED, 'a client certificate issued by the site CA is required (mosquitto_pub --cert/--key, mqtt.js cert/key)');
    }
    let device: string | undefined;
    if (cert?.name !== undefined) {
      const entry = registry.byCertName(cert.name);
      if (!entry) throw new AuthError(CONNACK.NOT_AUTHORIZED, `client certificate CN "${cert.name}" belongs to no registered device`);
      if (username !== undefined && username !== entry.id) {
        throw new AuthError(CONNACK.NOT_AUTHORIZED, `the client certificate is for ${entry.id} but the username is ${username}`);
      }
      device = entry.id;
    }
    const certSuffices = clientCert === 'accept' && device !== undefined && password === undefined;
    if (!certSuffices) {
      // MQTT 3.1.1 §3.2.2.3 Table 3.1: return code 4 = bad user name or password.
      const login = username ?? device; // with a certificate, the username may be left out
      if (login === undefined || password === undefined) {
        throw new AuthError(CONNACK.BAD_USERNAME_OR_PASSWORD, 'log in with the device id as username and its secret as password');
      }
      if (!(await registry.verifySecret(login, password.toString('utf8')))) {
        throw new AuthError(CONNACK.BAD_USERNAME_OR_PASSWORD, `bad username or password for ${JSON.stringify(login)}`);
      }
      device = login;
    }
    const id = device!;
    if (internalClientIds.has(client.id)) {
      throw new AuthError(CONNACK.IDENTIFIER_REJECTED, `client id ${client.id} belongs to the gateway's own client`);
    }
    if (bindClientId && client.id !== id && client.id !== `twinbed-${site}-${id}`) {
      // [MQTT-3.1.3-9] a rejected client id is answered with CONNACK 2, then the connection closes.
      const use = `use "${id}" or "twinbed-${site}-${id}"`;
      throw new AuthError(CONNACK.IDENTIFIER_REJECTED, `client id ${JSON.stringify(client.id)} is not allowed for device ${id}; ${use}`);
    }
    return { kind: 'device', id };
  }

  const deviceOf = (principal: Principal | undefined) => (principal?.kind === 'device' ? principal.id : undefined);

  return {
    authenticate(client, username, password, done) {
      identify(client, username, password).then(
        (principal) => {
          principals.set(client, principal);
          done(null, true);
        },
        (error: unknown) => {
          const refusal =
            error instanceof AuthError ? error : new AuthError(CONNACK.NOT_AUTHORIZED, `authentication failed: ${(error as Error).message}`);
          onDenied?.({ action: 'connect', clientId: client.id, ...optional('device', username), reason: refusal.message });
          // [MQTT-3.2.2-5] aedes sends CONNACK with this code and then closes the network connection.
          done(refusal as AuthenticateError, false);
        },
      );
    },

    authorizePublish(client, packet, done) {
      // client is null only for a will left by a broker that died; nobody vouches for it, so it is dropped.
      const principal = client ? principals.get(client) : undefined;
      const decision = principal ? mayPublish(principal, packet.topic, acl) : NOT_AUTHENTICATED;
      if (decision.allowed) return done(null);
      const clientId = client?.id ?? '';
      onDenied?.({ action: 'publish', clientId, ...optional('device', deviceOf(principal)), topic: packet.topic, reason: decision.reason });
      // [MQTT-3.3.5-2] MQTT 3.1.1 cannot refuse a PUBLISH; aedes closes the connection on this error.
      done(new AclError(decision.reason));
    },

    authorizeSubscribe(client, subscription, done) {
      const principal = principals.get(client);
      const decision = principal ? maySubscribe(principal, subscription.topic, acl) : NOT_AUTHENTICATED;
      if (decision.allowed) return done(null, subscription);
      const { topic } = subscription;
      onDenied?.({ action: 'subscribe', clientId: client.id, ...optional('device', deviceOf(principal)), topic, reason: decision.reason });
      // MQTT 3.1.1 §3.9.3: a null subscription makes aedes answer this filter with SUBACK 0x80 (Failure).
      done(null, null);
    },
  };
}

const NOT_AUTHENTICATED: AclDecision = { allowed: false, reason: 'the client has not authenticated' };

function sha256(data: string | Buffer): Buffer {
  return createHash('sha256').update(data).digest();
}

function optional<K extends string>(key: K, value: string | undefined): Partial<Record<K, string>> {
  return value === undefined ? {} : ({ [key]: value } as Record<K, string>);
}

/**
 * The CN of the client certificate, when the client sent one; `problem` when it sent one that did not verify
 * against the CA (possible when the server requests certificates without rejecting bad ones).
 */
function peerCertificate(client: Client): { name?: string; problem?: string } | undefined {
  const conn = client.conn;
  if (!(conn instanceof TLSSocket)) return undefined;
  const cert = conn.getPeerCertificate();
  if (!cert || Object.keys(cert).length === 0) return undefined;
  if (!conn.authorized) return { problem: `the client certificate was not issued by the site CA (${String(conn.authorizationError)})` };
  const cn: unknown = cert.subject?.CN;
  if (typeof cn !== 'string') return { problem: 'the client certificate has no single subject CN' };
  return { name: cn };
}
