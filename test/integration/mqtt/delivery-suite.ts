import type { IPublishPacket, QoS } from 'mqtt-packet';
import { describe, expect, it } from 'vitest';
import { expectClosedWithoutAnswer } from './connect-suite';
import { acknowledge, disconnect, type Harness, nextMessageId, publish, publishSettled, receive, retainedPayloads, subscribe, uniqueId } from './flows';
import { publishBytes, subscribeBytes } from './packet-bytes';
import type { RawClient } from './raw-client';

// MQTT 3.1.1 §3.8–3.11 SUBSCRIBE and UNSUBSCRIBE, §4.3 QoS 0/1/2, §3.3.1.3 RETAIN, §4.7 topic matching.

const topicFor = (name: string): string => `conf/${uniqueId('t')}/${name}`;

/** Takes PUBLISH packets on any of `topics` until one on `last` arrives; returns their topics in arrival order. */
async function topicsUntil(client: RawClient, topics: readonly string[], last: string): Promise<string[]> {
  const seen: string[] = [];
  for (;;) {
    const packet = await client.next('publish', (p) => topics.includes(p.topic));
    await acknowledge(client, packet);
    seen.push(packet.topic);
    if (packet.topic === last) return seen;
  }
}

const summary = (packet: IPublishPacket) => ({ payload: packet.payload.toString(), qos: packet.qos, retain: packet.retain, dup: packet.dup });

export function deliverySuite(h: Harness): void {
  const pair = async (): Promise<{ sub: RawClient; pub: RawClient }> => {
    const { client: sub } = await h.open({ clientId: uniqueId() });
    const { client: pub } = await h.open({ clientId: uniqueId() });
    return { sub, pub };
  };

  describe('SUBSCRIBE and UNSUBSCRIBE', () => {
    it('[MQTT-3.8.4-1] [MQTT-3.8.4-2] answers SUBSCRIBE with a SUBACK carrying its Packet Identifier', async () => {
      const { client } = await h.open({ clientId: uniqueId() });
      client.send({ cmd: 'subscribe', messageId: 0x1234, subscriptions: [{ topic: topicFor('a'), qos: 1 }] });
      const suback = await client.next('suback');
      expect(suback.messageId).toBe(0x1234);
    });

    it('[MQTT-3.8.4-5] [MQTT-3.9.3-1] returns one return code per Topic Filter, in their order, none above the QoS asked for', async () => {
      const { client } = await h.open({ clientId: uniqueId() });
      const asked: Array<[string, QoS]> = [[topicFor('a'), 2], [topicFor('b'), 0], [topicFor('c/+'), 1], [topicFor('d/#'), 2]];
      const granted = await subscribe(client, asked);
      expect(granted).toHaveLength(asked.length);
      granted.forEach((qos, i) => expect(qos).toBeLessThanOrEqual(asked[i]![1]));
      expect(granted).toEqual([2, 0, 1, 2]);
    });

    it('[MQTT-3.8.4-6] delivers each message at the minimum of its published QoS and the granted QoS', async () => {
      const { sub, pub } = await pair();
      const base = topicFor('min');
      expect(await subscribe(sub, [[`${base}/0/+`, 0], [`${base}/1/+`, 1], [`${base}/2/+`, 2]])).toEqual([0, 1, 2]);
      const levels = [0, 1, 2] as const;
      for (const granted of levels) for (const sent of levels) await publish(pub, `${base}/${granted}/${sent}`, 'm', { qos: sent });
      const delivered = new Map<string, number>();
      for (let i = 0; i < 9; i++) {
        const packet = await receive(sub);
        delivered.set(packet.topic, packet.qos);
      }
      for (const granted of levels) for (const sent of levels) expect(delivered.get(`${base}/${granted}/${sent}`)).toBe(Math.min(granted, sent));
    });

    it('[MQTT-3.3.2-3] matches "+" to exactly one topic level, an empty one included (§4.7.1.3)', async () => {
      const { sub, pub } = await pair();
      const base = topicFor('plus');
      await subscribe(sub, [[`${base}/+/c`, 1]]);
      const sent = [`${base}/b/c`, `${base}//c`, `${base}/b/d/c`, `${base}/c`, `${base}/b/c/d`, `${base}/last/c`];
      for (const topic of sent) await publish(pub, topic, 'm', { qos: 1 });
      expect(await topicsUntil(sub, sent, `${base}/last/c`)).toEqual([`${base}/b/c`, `${base}//c`, `${base}/last/c`]);
    });

    it('[MQTT-3.3.2-3] matches "#" to the parent level and to every level below it (§4.7.1.2)', async () => {
      const { sub, pub } = await pair();
      const base = topicFor('hash');
      await subscribe(sub, [[`${base}/#`, 1]]);
      const sent = [base, `${base}/a`, `${base}/a/b/c`, `${base}x`, `x/${base}`, `${base}/last`];
      for (const topic of sent) await publish(pub, topic, 'm', { qos: 1 });
      expect(await topicsUntil(sub, sent, `${base}/last`)).toEqual([base, `${base}/a`, `${base}/a/b/c`, `${base}/last`]);
    });

    it('[MQTT-4.7.2-1] does not match a filter that starts with a wildcard to a topic that starts with "$"', async () => {
      const { sub, pub } = await pair();
      const { client: dollarSub } = await h.open({ clientId: uniqueId() });
      const dollar = `$${uniqueId('d')}/x`;
      const plain = topicFor('x');
      await subscribe(sub, [['#', 1], ['+/x', 1]]);
      await subscribe(dollarSub, [[dollar.replace('/x', '/#'), 1]]);
      await publish(pub, dollar, 'dollar', { qos: 1 });
      await publish(pub, plain, 'plain', { qos: 1 });
      expect((await receive(dollarSub, dollar)).payload.toString()).toBe('dollar');
      expect(await topicsUntil(sub, [dollar, plain], plain)).toEqual([plain]);
    });

    it.each([
      ['[MQTT-4.7.1-2] a "#" that is not the last character', 'a/#/b'],
      ['[MQTT-4.7.1-3] a "+" that does not fill a whole level', 'a/b+/c'],
    ])('closes the connection on a SUBSCRIBE with %s', async (_name, filter) => {
      const { client } = await h.open({ clientId: uniqueId() });
      client.send({ cmd: 'subscribe', messageId: nextMessageId(), subscriptions: [{ topic: filter, qos: 0 }] });
      await expectClosedWithoutAnswer(client);
    });

    it.each([
      ['[MQTT-3.8.3-4] a requested QoS of 3', subscribeBytes({ messageId: 9, topic: 'a/b', requestedQos: 3 })],
      ['[MQTT-3.8.1-1] fixed-header flags other than 0010', subscribeBytes({ header: 0x80, messageId: 9, topic: 'a/b', requestedQos: 0 })],
      ['[MQTT-3.3.1-4] a PUBLISH with both QoS bits set', publishBytes({ qosBits: 3, messageId: 9, topic: 'a/b', payload: 'x' })],
    ])('closes the connection on %s', async (_name, bytes) => {
      const { client } = await h.open({ clientId: uniqueId() });
      client.write(bytes);
      await expectClosedWithoutAnswer(client);
    });

    it.each([
      ['a PUBLISH whose Topic Name', publishBytes({ qosBits: 0, topic: Buffer.from('a/\u0000'), payload: 'x' })],
      ['a SUBSCRIBE whose Topic Filter', subscribeBytes({ messageId: 9, topic: Buffer.from('a/\u0000'), requestedQos: 0 })],
    ])('[MQTT-1.5.3-2] closes the connection on %s holds U+0000', async (_name, bytes) => {
      const { client } = await h.open({ clientId: uniqueId() });
      client.write(bytes);
      await expectClosedWithoutAnswer(client);
    });

    it('[MQTT-1.5.3-1] [MQTT-3.3.2-1] DEVIATION kept: takes a PUBLISH whose Topic Name is ill-formed UTF-8 instead of closing (aedes decodes it with U+FFFD)', async () => {
      const { sub, pub } = await pair();
      const base = topicFor('utf8');
      await subscribe(sub, [[`${base}/+`, 0]]);
      pub.write(publishBytes({ qosBits: 0, topic: Buffer.concat([Buffer.from(`${base}/`), Buffer.from([0xc3, 0x28])]), payload: 'ill-formed' }));
      const delivered = await receive(sub, `${base}/\ufffd(`);
      expect(delivered.payload.toString()).toBe('ill-formed');
      expect(pub.isClosed).toBe(false);
    });

    it('[MQTT-3.3.2-2] closes the connection on a PUBLISH whose Topic Name holds a wildcard', async () => {
      const { client } = await h.open({ clientId: uniqueId() });
      client.send({ cmd: 'publish', topic: 'a/+', payload: 'x', qos: 0, retain: false, dup: false });
      await expectClosedWithoutAnswer(client);
    });

    it('[MQTT-3.10.4-4] answers UNSUBSCRIBE with an UNSUBACK carrying its Packet Identifier', async () => {
      const { client } = await h.open({ clientId: uniqueId() });
      const topic = topicFor('u');
      await subscribe(client, [[topic, 1]]);
      client.send({ cmd: 'unsubscribe', messageId: 0x4321, unsubscriptions: [topic] });
      expect((await client.next('unsuback')).messageId).toBe(0x4321);
    });

    it('[MQTT-3.10.4-5] answers UNSUBACK even when no subscription matched', async () => {
      const { client } = await h.open({ clientId: uniqueId() });
      client.send({ cmd: 'unsubscribe', messageId: 77, unsubscriptions: [topicFor('never')] });
      expect((await client.next('unsuback')).messageId).toBe(77);
    });

    it('[MQTT-3.10.4-1] [MQTT-3.10.4-2] deletes only the identical filter, and then stops delivering on it', async () => {
      const { sub, pub } = await pair();
      const base = topicFor('unsub');
      const fence = topicFor('fence');
      await subscribe(sub, [[`${base}/+`, 1], [fence, 1]]);
      // "#" is not character for character "+": nothing is deleted.
      sub.send({ cmd: 'unsubscribe', messageId: 5, unsubscriptions: [`${base}/#`] });
      await sub.next('unsuback');
      await publish(pub, `${base}/a`, 'still', { qos: 1 });
      expect((await receive(sub, `${base}/a`)).payload.toString()).toBe('still');
      sub.send({ cmd: 'unsubscribe', messageId: 6, unsubscriptions: [`${base}/+`] });
      await sub.next('unsuback');
      await publish(pub, `${base}/a`, 'gone', { qos: 1 });
      await publish(pub, fence, 'fence', { qos: 1 });
      expect(await topicsUntil(sub, [`${base}/a`, fence], fence)).toEqual([fence]);
    });
  });

  describe('QoS 0, 1 and 2', () => {
    it('[MQTT-4.3.1-1] [MQTT-2.3.1-5] delivers a QoS 0 message as QoS 0, DUP 0, without Packet Identifier, and acknowledges nothing', async () => {
      const { sub, pub } = await pair();
      const topic = topicFor('q0');
      await subscribe(sub, [[topic, 2]]);
      await publish(pub, topic, 'zero', { qos: 0 });
      const packet = await receive(sub, topic);
      expect(summary(packet)).toEqual({ payload: 'zero', qos: 0, retain: false, dup: false });
      expect(packet.messageId).toBeUndefined();
      pub.send({ cmd: 'pingreq' });
      await pub.next('pingresp');
      expect(pub.unread).toEqual([]);
    });

    it('[MQTT-4.3.2-2] [MQTT-2.3.1-6] answers a QoS 1 PUBLISH with a PUBACK carrying its Packet Identifier, and delivers it at QoS 1', async () => {
      const { sub, pub } = await pair();
      const topic = topicFor('q1');
      await subscribe(sub, [[topic, 1]]);
      pub.send({ cmd: 'publish', topic, payload: 'one', qos: 1, messageId: 0x0102, retain: false, dup: false });
      expect((await pub.next('puback')).messageId).toBe(0x0102);
      const packet = await sub.next('publish', (p) => p.topic === topic);
      expect(summary(packet)).toEqual({ payload: 'one', qos: 1, retain: false, dup: false });
      expect(packet.messageId).toBeGreaterThan(0);
      sub.send({ cmd: 'puback', messageId: packet.messageId! });
    });

    it('[MQTT-4.3.3-2] answers a QoS 2 PUBLISH with PUBREC, and its PUBREL with PUBCOMP, each carrying its Packet Identifier', async () => {
      const { sub, pub } = await pair();
      const topic = topicFor('q2');
      await subscribe(sub, [[topic, 2]]);
      pub.send({ cmd: 'publish', topic, payload: 'two', qos: 2, messageId: 0x0203, retain: false, dup: false });
      expect((await pub.next('pubrec')).messageId).toBe(0x0203);
      pub.send({ cmd: 'pubrel', messageId: 0x0203 });
      expect((await pub.next('pubcomp')).messageId).toBe(0x0203);
      expect(summary(await receive(sub, topic))).toEqual({ payload: 'two', qos: 2, retain: false, dup: false });
    });

    it('[MQTT-4.3.3-2] delivers a QoS 2 message once when the sender re-sends it with DUP 1 before PUBREL, and takes the id as new after PUBCOMP', async () => {
      const { sub, pub } = await pair();
      const topic = topicFor('once');
      await subscribe(sub, [[topic, 2]]);
      const messageId = 0x0304;
      pub.send({ cmd: 'publish', topic, payload: 'first', qos: 2, messageId, retain: false, dup: false });
      await pub.next('pubrec', (p) => p.messageId === messageId);
      pub.send({ cmd: 'publish', topic, payload: 'first', qos: 2, messageId, retain: false, dup: true });
      await pub.next('pubrec', (p) => p.messageId === messageId);
      pub.send({ cmd: 'pubrel', messageId });
      await pub.next('pubcomp', (p) => p.messageId === messageId);
      // After PUBCOMP the same Packet Identifier is a new publication; on the same topic it also fences the first.
      await publish(pub, topic, 'second', { qos: 2, messageId });
      const payloads = [(await receive(sub, topic)).payload.toString(), (await receive(sub, topic)).payload.toString()];
      expect(payloads).toEqual(['first', 'second']);
    });
  });

  describe('retained messages', () => {
    it('[MQTT-3.3.1-5] [MQTT-3.3.1-6] [MQTT-3.3.1-8] [MQTT-3.1.2-7] keeps a retained message and its QoS, and sends it with RETAIN 1 to a new subscription', async () => {
      const pubId = uniqueId();
      const { client: pub } = await h.open({ clientId: pubId });
      const topic = topicFor('kept');
      await publishSettled(h.broker, pub, topic, 'kept', { qos: 1, retain: true });
      // The publisher's clean session ends; the retained message is not session state and stays.
      await disconnect(h.broker, pub, pubId);
      const { client: sub } = await h.open({ clientId: uniqueId() });
      await subscribe(sub, [[topic, 2]]);
      expect(summary(await receive(sub, topic))).toEqual({ payload: 'kept', qos: 1, retain: true, dup: false });
    });

    it('[MQTT-3.3.1-9] sends RETAIN 0 to a subscription that existed when the retained message arrived', async () => {
      const { sub, pub } = await pair();
      const topic = topicFor('live');
      await subscribe(sub, [[topic, 1]]);
      await publish(pub, topic, 'live', { qos: 1, retain: true });
      expect(summary(await receive(sub, topic))).toEqual({ payload: 'live', qos: 1, retain: false, dup: false });
    });

    it('[MQTT-3.3.1-10] [MQTT-3.3.1-11] delivers a zero-byte retained PUBLISH as usual, removes the retained message and stores nothing', async () => {
      const { sub, pub } = await pair();
      const topic = topicFor('cleared');
      await publishSettled(h.broker, pub, topic, 'old', { qos: 1, retain: true });
      await subscribe(sub, [[topic, 1]]);
      expect(summary(await receive(sub, topic))).toMatchObject({ payload: 'old', retain: true });
      await publishSettled(h.broker, pub, topic, '', { qos: 1, retain: true });
      expect(summary(await receive(sub, topic))).toEqual({ payload: '', qos: 1, retain: false, dup: false });
      expect(await retainedPayloads(h.broker, topic)).toEqual([]);
      // A new subscription gets no retained message: the first thing on the topic is a later live one.
      const { client: late } = await h.open({ clientId: uniqueId() });
      await subscribe(late, [[topic, 1]]);
      await publish(pub, topic, 'after', { qos: 1 });
      expect(summary(await receive(late, topic))).toMatchObject({ payload: 'after', retain: false });
    });

    it('[MQTT-3.3.1-12] neither stores nor replaces a retained message on a PUBLISH with RETAIN 0', async () => {
      const { pub } = await pair();
      const topic = topicFor('unretained');
      await publishSettled(h.broker, pub, topic, 'keep', { qos: 1, retain: true });
      await publishSettled(h.broker, pub, topic, 'pass', { qos: 1, retain: false });
      expect(await retainedPayloads(h.broker, topic)).toEqual(['keep']);
      const { client: late } = await h.open({ clientId: uniqueId() });
      await subscribe(late, [[topic, 1]]);
      expect(summary(await receive(late, topic))).toMatchObject({ payload: 'keep', retain: true });
    });

    it('[MQTT-3.3.1-7] replaces the retained message on a QoS 0 PUBLISH with RETAIN 1', async () => {
      const { pub } = await pair();
      const topic = topicFor('qos0retain');
      await publishSettled(h.broker, pub, topic, 'old', { qos: 1, retain: true });
      await publishSettled(h.broker, pub, topic, 'new', { qos: 0, retain: true });
      const { client: late } = await h.open({ clientId: uniqueId() });
      await subscribe(late, [[topic, 1]]);
      expect(summary(await receive(late, topic))).toEqual({ payload: 'new', qos: 0, retain: true, dup: false });
    });
  });
}
