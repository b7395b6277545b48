import { describe, expect, it } from 'vitest';
import { connectBytes, CONNECT_FLAG, type ConnectSpec, subscribeBytes } from './packet-bytes';
import { disconnect, type Harness, ping, publish, receive, subscribe, uniqueId } from './flows';
import type { RawClient } from './raw-client';

// MQTT 3.1.1 §3.1 CONNECT and §3.2 CONNACK, as the server must answer them.

/** The connection ends and not one packet came back: no CONNACK, nothing else [MQTT-3.1.4-1]. */
export async function expectClosedWithoutAnswer(client: RawClient): Promise<void> {
  await client.closed();
  expect(client.unread).toEqual([]);
}

/** CONNACK with `returnCode` and Session Present 0 [MQTT-3.2.2-4], then the server closes [MQTT-3.2.2-5]. */
export async function expectRefused(client: RawClient, returnCode: number): Promise<void> {
  const connack = await client.next('connack');
  expect({ returnCode: connack.returnCode, sessionPresent: connack.sessionPresent }).toEqual({ returnCode, sessionPresent: false });
  await expectClosedWithoutAnswer(client);
}

const ALPHANUMERIC = '0123456789abcdefghijklmnopqrstuvwxyzABCDEFGHIJKLMNOPQRSTUVWXYZ';

export function connectSuite(h: Harness): void {
  describe('CONNECT and CONNACK', () => {
    it('[MQTT-3.2.0-1] [MQTT-3.1.4-4] answers a valid CONNECT with CONNACK 0 as the first packet it sends', async () => {
      const client = await h.attempt({ clientId: uniqueId() });
      const connack = await client.next('connack');
      expect(connack.returnCode).toBe(0);
      expect(client.unread).toEqual([]);
      await ping(client);
    });

    it('[MQTT-3.1.4-4] answers a CONNECT that arrives a byte at a time', async () => {
      const client = await h.raw();
      for (const byte of connectBytes({ clientId: uniqueId(), username: 'u', password: 'p' })) await client.flush(Buffer.from([byte]));
      expect((await client.next('connack')).returnCode).toBe(0);
      await ping(client);
    });

    it('[MQTT-3.1.0-1] closes the connection when the first packet is not CONNECT', async () => {
      const client = await h.raw();
      client.send({ cmd: 'pingreq' });
      await expectClosedWithoutAnswer(client);
    });

    it('[MQTT-3.1.0-2] takes a second CONNECT as a protocol violation and disconnects', async () => {
      const clientId = uniqueId();
      const { client } = await h.open({ clientId });
      client.write(connectBytes({ clientId }));
      await expectClosedWithoutAnswer(client);
    });

    it.each(['MQTX', 'mqtt', 'MQTT3'])('[MQTT-3.1.2-1] closes the connection without CONNACK on protocol name %j', async (protocolName) => {
      await expectClosedWithoutAnswer(await h.attempt({ protocolName, clientId: uniqueId() }));
    });

    it('[MQTT-3.1.2-1] admits an MQTT 3.1 client (protocol name MQIsdp, level 3) under that other specification', async () => {
      const { client } = await h.open({ protocolName: 'MQIsdp', level: 3, clientId: uniqueId() });
      await ping(client);
    });

    it.each([
      ['3 (MQTT 3.1 under the name MQTT)', 3],
      ['5 (MQTT 5)', 5],
      ['6', 6],
      ['0x84 (4 with the bridge bit)', 0x84],
    ])('[MQTT-3.1.2-2] answers protocol level %s with CONNACK 0x01, then closes', async (_name, level) => {
      await expectRefused(await h.attempt({ level, clientId: uniqueId() }), 1);
    });

    it.each<[string, ConnectSpec]>([
      ['[MQTT-3.1.2-3] the reserved Connect Flag set', { extraFlags: CONNECT_FLAG.reserved }],
      ['[MQTT-3.1.2-13] Will QoS set without the Will Flag', { extraFlags: 1 << 3 }],
      ['[MQTT-3.1.2-15] Will Retain set without the Will Flag', { extraFlags: CONNECT_FLAG.willRetain }],
      ['[MQTT-3.1.2-14] Will QoS 3', { will: { topic: 'w', payload: 'x', qos: 3 } }],
      ['[MQTT-3.1.2-22] the Password Flag set without the User Name Flag', { password: 'secret' }],
      ['[MQTT-3.1.3-3] no Client Identifier in the payload', { omitClientId: true }],
    ])('[MQTT-3.1.4-1] closes the connection without CONNACK on a CONNECT with %s', async (_name, spec) => {
      await expectClosedWithoutAnswer(await h.attempt({ clientId: uniqueId(), ...spec }));
    });

    it('[MQTT-3.12.4-1] answers PINGREQ with PINGRESP', async () => {
      const { client } = await h.open({ clientId: uniqueId(), keepalive: 60 });
      client.send({ cmd: 'pingreq' });
      await client.next('pingresp');
    });

    it('[MQTT-3.1.2-24] disconnects a client that sends nothing for 1.5 times its 1 s Keep Alive, and [MQTT-3.1.2-8] publishes its will', async () => {
      const willTopic = `conf/${uniqueId('t')}/keepalive-will`;
      const { client: watcher } = await h.open({ clientId: uniqueId() });
      await subscribe(watcher, [[willTopic, 1]]);
      const { client } = await h.open({ clientId: uniqueId(), keepalive: 1, will: { topic: willTopic, payload: 'silent', qos: 1 } });
      // The condition, not the clock: the server closes the socket, however long a loaded machine takes.
      await client.closed(15_000);
      const will = await receive(watcher, willTopic);
      expect(will.payload.toString()).toBe('silent');
    });

    it('[MQTT-3.1.4-2] disconnects the connected client when another connects with the same client id', async () => {
      const clientId = uniqueId();
      const { client: first } = await h.open({ clientId });
      const { client: second } = await h.open({ clientId });
      await first.closed();
      await ping(second);
    });
  });

  describe('client identifier', () => {
    it('[MQTT-3.1.3-5] accepts client ids of 1 to 23 bytes made of 0-9a-zA-Z', async () => {
      const ids = ['q', ALPHANUMERIC.slice(0, 23), ALPHANUMERIC.slice(23, 46), ALPHANUMERIC.slice(46)];
      expect(ids.map((id) => id.length)).toEqual([1, 23, 23, 16]);
      for (const clientId of ids) {
        const { client } = await h.open({ clientId });
        await ping(client);
        await disconnect(h.broker, client, clientId);
      }
    });

    it('[MQTT-3.1.3-6] gives each zero-length client id with CleanSession 1 a unique id of its own, and serves it', async () => {
      const assigned: string[] = [];
      const onReady = (client: { id: string }): void => void assigned.push(client.id);
      h.broker.aedes.on('clientReady', onReady);
      try {
        const { client: a } = await h.open({ clientId: '', clean: true });
        const { client: b } = await h.open({ clientId: '', clean: true });
        // PINGRESP comes only once the broker has registered the client, so both ids are known by now.
        await ping(a);
        await ping(b);
        expect(assigned).toHaveLength(2);
        expect(assigned[0]).not.toBe('');
        expect(assigned[1]).not.toBe(assigned[0]);
        // Neither took the other over [MQTT-3.1.4-2], and both are served.
        const topic = `conf/${uniqueId('t')}/anonymous`;
        await subscribe(a, [[topic, 1]]);
        await publish(b, topic, 'hello', { qos: 1 });
        expect((await receive(a, topic)).payload.toString()).toBe('hello');
      } finally {
        h.broker.aedes.off('clientReady', onReady);
      }
    });

    it('[MQTT-3.1.3-8] refuses a zero-length client id with CleanSession 0: CONNACK 0x02, then closes', async () => {
      await expectRefused(await h.attempt({ clientId: '', clean: false }), 2);
    });

    it('[MQTT-3.1.4-5] processes nothing the client sent after a refused CONNECT', async () => {
      const client = await h.raw();
      const refused = connectBytes({ clientId: '', clean: false });
      client.write(Buffer.concat([refused, subscribeBytes({ messageId: 7, topic: '#', requestedQos: 0 })]));
      // CONNACK 0x02 and nothing else: no SUBACK for the SUBSCRIBE that followed.
      await expectRefused(client, 2);
    });

    it.each<[string, Partial<ConnectSpec>]>([
      ['[MQTT-3.1.3-4] [MQTT-1.5.3-1] a client id with a broken multi-byte sequence', { clientId: Buffer.from([0x61, 0xc3, 0x28]) }],
      ['[MQTT-3.1.3-4] [MQTT-1.5.3-1] a client id with an encoded surrogate, U+D800', { clientId: Buffer.from([0x61, 0xed, 0xa0, 0x80]) }],
      ['[MQTT-3.1.3-4] [MQTT-1.5.3-1] a client id with an overlong encoding of "/"', { clientId: Buffer.from([0x61, 0xc0, 0xaf]) }],
      ['[MQTT-3.1.3-4] [MQTT-1.5.3-2] a client id holding U+0000', { clientId: Buffer.from('a\u0000b') }],
      ['[MQTT-3.1.3-10] [MQTT-1.5.3-2] a will topic holding U+0000', { will: { topic: Buffer.from('w/\u0000'), payload: 'x' } }],
      ['[MQTT-3.1.3-11] [MQTT-1.5.3-1] a user name that is not UTF-8', { username: Buffer.from([0xff, 0xfe]) }],
    ])('closes the connection without CONNACK on %s', async (_name, spec) => {
      await expectClosedWithoutAnswer(await h.attempt({ clientId: uniqueId(), ...spec }));
    });
  });

  describe('Session Present', () => {
    it('[MQTT-3.2.2-3] is 0 for CleanSession 0 when no session is stored', async () => {
      const { connack } = await h.open({ clientId: uniqueId(), clean: false });
      expect(connack.sessionPresent).toBe(false);
    });

    it('[MQTT-3.2.2-2] is 1 when the server resumes a stored session', async () => {
      const clientId = uniqueId();
      const { client } = await h.open({ clientId, clean: false });
      await subscribe(client, [[`conf/${uniqueId('t')}/present`, 1]]);
      await disconnect(h.broker, client, clientId);
      const { connack } = await h.open({ clientId, clean: false });
      expect(connack.sessionPresent).toBe(true);
    });

    it('[MQTT-3.2.2-2] is 1 for a stored session that holds no subscriptions, since the session itself is state', async () => {
      const clientId = uniqueId();
      const { client } = await h.open({ clientId, clean: false });
      await disconnect(h.broker, client, clientId);
      const { connack } = await h.open({ clientId, clean: false });
      expect(connack.sessionPresent).toBe(true);
    });

    it('[MQTT-3.2.2-1] is 0 for CleanSession 1, even when a session was stored', async () => {
      const clientId = uniqueId();
      const { client } = await h.open({ clientId, clean: false });
      await subscribe(client, [[`conf/${uniqueId('t')}/present`, 1]]);
      await disconnect(h.broker, client, clientId);
      const { connack } = await h.open({ clientId, clean: true });
      expect(connack.sessionPresent).toBe(false);
    });
  });
}
