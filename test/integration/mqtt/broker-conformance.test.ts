import type { AuthenticateError } from 'aedes';
import { describe, expect, it } from 'vitest';
import { startBroker } from '../../../sim';
import { connectSuite, expectClosedWithoutAnswer, expectRefused } from './connect-suite';
import { deliverySuite } from './delivery-suite';
import { disconnect, harness, subscribe, uniqueId } from './flows';
import { sessionSuite } from './session-suite';

// Conformance of the embedded broker (sim/broker.ts) to MQTT 3.1.1, checked over loopback TCP with hand-made
// packets. Each test names the normative statements it checks, e.g. [MQTT-3.1.3-8]; one broker per block.

describe('embedded broker, MQTT 3.1.1 conformance', () => {
  const h = harness(() => startBroker({ id: 'conformance' }));
  connectSuite(h);
  deliverySuite(h);
  sessionSuite(h);
});

describe('embedded broker with user hooks: its own rules run first, then the user\'s', () => {
  const calls = { preConnect: [] as string[], authenticate: [] as Array<[string | undefined, string | undefined]>, authorizeSubscribe: [] as string[] };
  const refusal = (message: string, returnCode: 2 | 4): AuthenticateError => Object.assign(new Error(message), { returnCode }) as AuthenticateError;
  const h = harness(() =>
    startBroker({
      id: 'conformance-hooks',
      preConnect: (_client, packet, done) => {
        calls.preConnect.push(packet.clientId);
        done(null, packet.clientId !== 'refusedByPreConnect');
      },
      authenticate: (_client, username, password, done) => {
        calls.authenticate.push([username, password?.toString()]);
        if (username === 'wrong-id') return done(refusal('this client id is not yours', 2), false);
        if (username === 'wrong-password') return done(refusal('bad user name or password', 4), false);
        done(null, true);
      },
      authorizeSubscribe: (_client, subscription, done) => {
        calls.authorizeSubscribe.push(subscription.topic);
        done(null, subscription.topic.startsWith('deny/') ? null : subscription);
      },
    }),
  );
  const reset = (): void => {
    calls.preConnect.length = 0;
    calls.authenticate.length = 0;
    calls.authorizeSubscribe.length = 0;
  };

  it('[MQTT-3.1.3-8] refuses a zero-length client id with CleanSession 0 with CONNACK 0x02, and the user\'s hooks never see it', async () => {
    reset();
    await expectRefused(await h.attempt({ clientId: '', clean: false, username: 'u', password: 'p' }), 2);
    expect(calls.preConnect).toEqual([]);
    expect(calls.authenticate).toEqual([]);
  });

  it('[MQTT-3.1.2-22] closes without CONNACK on a password without a user name, and the user\'s hooks never see it', async () => {
    reset();
    await expectClosedWithoutAnswer(await h.attempt({ clientId: uniqueId(), password: 'p' }));
    expect(calls.preConnect).toEqual([]);
    expect(calls.authenticate).toEqual([]);
  });

  it('[MQTT-3.1.2-19] [MQTT-3.1.2-21] hands a valid CONNECT, user name and password, on to the user\'s preConnect and authenticate', async () => {
    reset();
    const clientId = uniqueId();
    await h.open({ clientId, username: 'alice', password: 's3cret' });
    expect(calls.preConnect).toEqual([clientId]);
    expect(calls.authenticate).toEqual([['alice', 's3cret']]);
  });

  it('[MQTT-3.2.2-6] closes without CONNACK when the user\'s preConnect refuses', async () => {
    await expectClosedWithoutAnswer(await h.attempt({ clientId: 'refusedByPreConnect' }));
  });

  it('[MQTT-3.1.3-9] [MQTT-3.2.2-4] [MQTT-3.2.2-5] answers a client id the user\'s authenticate rejects with CONNACK 0x02 and Session Present 0, then closes', async () => {
    const clientId = uniqueId();
    const { client } = await h.open({ clientId, clean: false, username: 'alice', password: 'p' });
    await subscribe(client, [['allowed/a', 1]]);
    await disconnect(h.broker, client, clientId);
    // A session is stored for this id, yet a refused CONNECT reports none.
    await expectRefused(await h.attempt({ clientId, clean: false, username: 'wrong-id', password: 'p' }), 2);
    await expectRefused(await h.attempt({ clientId, clean: false, username: 'wrong-password', password: 'p' }), 4);
  });

  it('[MQTT-3.8.4-5] reports 0x80 in the place of a filter the user\'s authorizeSubscribe refuses', async () => {
    const { client } = await h.open({ clientId: uniqueId() });
    expect(await subscribe(client, [['allowed/b', 1], ['deny/b', 1], ['allowed/c', 0]])).toEqual([1, 0x80, 0]);
  });

  it('[MQTT-3.2.2-2] reports a stored session without subscriptions as present, and the user\'s authorizeSubscribe sees no stand-in for it', async () => {
    const clientId = uniqueId();
    const { client } = await h.open({ clientId, clean: false, username: 'alice', password: 'p' });
    await disconnect(h.broker, client, clientId);
    reset();
    const { connack } = await h.open({ clientId, clean: false, username: 'alice', password: 'p' });
    expect(connack.sessionPresent).toBe(true);
    expect(calls.authorizeSubscribe).toEqual([]);
  });
});
