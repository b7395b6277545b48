import { EventEmitter } from 'node:events';
import { TLSSocket } from 'node:tls';
import type { AuthenticateError, Client, PublishPacket, Subscription } from 'aedes';
import { beforeAll, describe, expect, it } from 'vitest';
import { brokerPolicy, createInternalCredential, type BrokerPolicyOptions, type PolicyDenial } from '../../../gateway/security/broker-policy';
import { createDeviceEntry, DeviceRegistry } from '../../../gateway/security/device-registry';

// The hooks run here against stand-in aedes clients; test/integration/security drives them over real sockets.

const SITE = 'plant-1';
const SECRET_A = 'secret-of-pump-a-0123456789';
const SECRET_B = 'secret-of-pump-b-0123456789';
let registry: DeviceRegistry;

beforeAll(async () => {
  registry = new DeviceRegistry([await createDeviceEntry('pump-a', SECRET_A), await createDeviceEntry('pump-b', SECRET_B)]);
});

function fakeClient(id: string, conn: unknown = new EventEmitter()): Client {
  return Object.assign(new EventEmitter(), { id, conn }) as unknown as Client;
}

/** A TLS socket as the policy sees it after a handshake; `cn` undefined = the client sent no certificate. */
function tlsConn(cn: string | undefined, authorized = true): TLSSocket {
  const socket = Object.create(TLSSocket.prototype) as TLSSocket;
  Object.defineProperty(socket, 'authorized', { value: authorized });
  Object.defineProperty(socket, 'authorizationError', { value: authorized ? null : new Error('UNABLE_TO_VERIFY_LEAF_SIGNATURE') });
  socket.getPeerCertificate = (() => (cn === undefined ? {} : { subject: { CN: cn } })) as TLSSocket['getPeerCertificate'];
  return socket;
}

interface AuthOutcome {
  ok: boolean;
  returnCode?: number;
  message?: string;
}

function setup(overrides: Partial<BrokerPolicyOptions> = {}) {
  const internal = createInternalCredential();
  const denials: PolicyDenial[] = [];
  const policy = brokerPolicy(registry, SITE, { internal, onDenied: (d) => denials.push(d), ...overrides });
  const authenticate = (client: Client, username?: string, password?: string) =>
    new Promise<AuthOutcome>((resolve) =>
      policy.authenticate(client, username, password === undefined ? undefined : Buffer.from(password), (error: AuthenticateError | null, ok: boolean | null) =>
        resolve({ ok: !error && ok === true, returnCode: error?.returnCode, message: error?.message }),
      ),
    );
  const publish = (client: Client | null, topic: string) =>
    new Promise<Error | null | undefined>((resolve) => policy.authorizePublish(client, { topic } as PublishPacket, resolve));
  const subscribe = (client: Client, topic: string) =>
    new Promise<Subscription | null | undefined>((resolve) => policy.authorizeSubscribe(client, { topic, qos: 1 } as Subscription, (_error, sub) => resolve(sub)));
  return { policy, internal, denials, authenticate, publish, subscribe };
}

describe('broker policy: authenticate', () => {
  it('admits a device with its id and secret', async () => {
    const { authenticate } = setup();
    expect(await authenticate(fakeClient('pump-a'), 'pump-a', SECRET_A)).toEqual({ ok: true, returnCode: undefined, message: undefined });
  });

  it.each([
    ['a wrong password', 'pump-a', SECRET_B],
    ['an unknown device', 'pump-z', SECRET_A],
    ['no password', 'pump-a', undefined],
    ['no username', undefined, SECRET_A],
  ])('refuses %s with CONNACK 4 (bad username or password)', async (_what, username, password) => {
    const { authenticate, denials } = setup();
    const outcome = await authenticate(fakeClient(username ?? 'x'), username, password);
    expect(outcome).toMatchObject({ ok: false, returnCode: 4 });
    expect(denials).toHaveLength(1);
    expect(denials[0]!.action).toBe('connect');
  });

  it("refuses CONNACK 2 when a device takes another device's client id, which would end that device's session", async () => {
    const { authenticate } = setup();
    const outcome = await authenticate(fakeClient('pump-b'), 'pump-a', SECRET_A);
    expect(outcome).toMatchObject({ ok: false, returnCode: 2 });
    expect(outcome.message).toContain('use "pump-a" or "twinbed-plant-1-pump-a"');
    expect((await authenticate(fakeClient('twinbed-plant-1-pump-a'), 'pump-a', SECRET_A)).ok).toBe(true);
    expect((await setup({ bindClientId: false }).authenticate(fakeClient('anything'), 'pump-a', SECRET_A)).ok).toBe(true);
  });

  it('admits the internal client only with this run\'s random password', async () => {
    const { authenticate, internal } = setup();
    expect((await authenticate(fakeClient('gw-edge'), internal.username, internal.password)).ok).toBe(true);
    expect(await authenticate(fakeClient('gw-edge-2'), internal.username, createInternalCredential().password)).toMatchObject({ ok: false, returnCode: 4 });
  });

  it("keeps devices off the internal client's client id", async () => {
    const { authenticate, internal } = setup({ bindClientId: false });
    await authenticate(fakeClient('gw-edge'), internal.username, internal.password);
    expect(await authenticate(fakeClient('gw-edge'), 'pump-a', SECRET_A)).toMatchObject({ ok: false, returnCode: 2 });
  });
});

describe('broker policy: client certificates', () => {
  it('require: refuses a password without a certificate (CONNACK 5) and admits certificate + password', async () => {
    const { authenticate } = setup({ clientCert: 'require' });
    expect(await authenticate(fakeClient('pump-a', tlsConn(undefined)), 'pump-a', SECRET_A)).toMatchObject({ ok: false, returnCode: 5 });
    expect((await authenticate(fakeClient('pump-a', tlsConn('pump-a')), 'pump-a', SECRET_A)).ok).toBe(true);
    expect(await authenticate(fakeClient('pump-a', tlsConn('pump-a')), 'pump-a', SECRET_B)).toMatchObject({ ok: false, returnCode: 4 });
  });

  it("refuses a certificate of device B used with A's username (CONNACK 5)", async () => {
    const { authenticate } = setup({ clientCert: 'require' });
    const outcome = await authenticate(fakeClient('pump-a', tlsConn('pump-b')), 'pump-a', SECRET_A);
    expect(outcome).toMatchObject({ ok: false, returnCode: 5, message: 'the client certificate is for pump-b but the username is pump-a' });
  });

  it('accept: a verified certificate alone logs the device in; an unverified one is refused', async () => {
    const { authenticate } = setup({ clientCert: 'accept' });
    expect((await authenticate(fakeClient('pump-a', tlsConn('pump-a')), undefined, undefined)).ok).toBe(true);
    expect((await authenticate(fakeClient('pump-a', tlsConn(undefined)), 'pump-a', SECRET_A)).ok).toBe(true);
    expect(await authenticate(fakeClient('pump-a', tlsConn('pump-a', false)), 'pump-a', SECRET_A)).toMatchObject({ ok: false, returnCode: 5 });
    expect(await authenticate(fakeClient('pump-z', tlsConn('pump-z')), undefined, undefined)).toMatchObject({
      ok: false,
      returnCode: 5,
      message: 'client certificate CN "pump-z" belongs to no registered device',
    });
  });

  it('ignore: a certificate proves nothing, the password still decides', async () => {
    const { authenticate } = setup({ clientCert: 'ignore' });
    expect(await authenticate(fakeClient('pump-a', tlsConn('pump-a')), undefined, undefined)).toMatchObject({ ok: false, returnCode: 4 });
  });
});

describe('broker policy: authorize', () => {
  it('confines a logged-in device to its own topics and reports each refusal', async () => {
    const { authenticate, publish, subscribe, denials } = setup();
    const a = fakeClient('pump-a');
    await authenticate(a, 'pump-a', SECRET_A);
    expect(await publish(a, 'twinbed/v1/plant-1/pump-a/telemetry/accel')).toBeNull();
    expect(await publish(a, 'twinbed/v1/plant-1/pump-b/telemetry/accel')).toBeInstanceOf(Error);
    expect(await subscribe(a, 'twinbed/v1/plant-1/pump-a/cmd')).toMatchObject({ topic: 'twinbed/v1/plant-1/pump-a/cmd' });
    expect(await subscribe(a, 'twinbed/v1/plant-1/pump-b/cmd')).toBeNull();
    expect(denials.map((d) => [d.action, d.device, d.topic])).toEqual([
      ['publish', 'pump-a', 'twinbed/v1/plant-1/pump-b/telemetry/accel'],
      ['subscribe', 'pump-a', 'twinbed/v1/plant-1/pump-b/cmd'],
    ]);
  });

  it('refuses publishes from clients it never authenticated, including a stale will with no client', async () => {
    const { publish, subscribe } = setup();
    expect(await publish(fakeClient('pump-a'), 'twinbed/v1/plant-1/pump-a/status')).toBeInstanceOf(Error);
    expect(await publish(null, 'twinbed/v1/plant-1/pump-a/status')).toBeInstanceOf(Error);
    expect(await subscribe(fakeClient('pump-a'), 'twinbed/v1/plant-1/pump-a/cmd')).toBeNull();
  });
});
