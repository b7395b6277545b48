import { describe, expect, it } from 'vitest';
import { acknowledge, clientGone, disconnect, type Harness, publish, published, publishSettled, receive, retainedPayloads, subscribe, uniqueId } from './flows';

// MQTT 3.1.1 §3.1.2.5 Will Message and §3.1.2.4 Clean Session: what outlives a connection, and what does not.

const topicFor = (name: string): string => `conf/${uniqueId('t')}/${name}`;

export function sessionSuite(h: Harness): void {
  describe('will', () => {
    it('[MQTT-3.1.2-8] [MQTT-3.1.2-9] [MQTT-3.1.2-16] publishes the will, at its QoS and not retained, when the connection drops without DISCONNECT', async () => {
      const willTopic = topicFor('will');
      const { client: watcher } = await h.open({ clientId: uniqueId() });
      await subscribe(watcher, [[willTopic, 2]]);
      const { client } = await h.open({ clientId: uniqueId(), will: { topic: willTopic, payload: 'lost', qos: 1 } });
      await client.destroy();
      const will = await receive(watcher, willTopic);
      expect({ payload: will.payload.toString(), qos: will.qos, retain: will.retain }).toEqual({ payload: 'lost', qos: 1, retain: false });
      expect(await retainedPayloads(h.broker, willTopic)).toEqual([]);
    });

    it('[MQTT-3.1.2-10] [MQTT-3.14.4-3] discards the will without publishing it on DISCONNECT', async () => {
      const willTopic = topicFor('will');
      const { client: watcher } = await h.open({ clientId: uniqueId() });
      await subscribe(watcher, [[willTopic, 1]]);
      const clientId = uniqueId();
      const { client } = await h.open({ clientId, will: { topic: willTopic, payload: 'unwanted', qos: 1 } });
      // Waits until aedes has unregistered the client: the point at which it publishes a will it still holds.
      await disconnect(h.broker, client, clientId);
      const { client: other } = await h.open({ clientId: uniqueId() });
      await publish(other, willTopic, 'fence', { qos: 1 });
      expect((await receive(watcher, willTopic)).payload.toString()).toBe('fence');
    });

    it('[MQTT-3.1.2-17] publishes a will with Will Retain 1 as a retained message', async () => {
      const willTopic = topicFor('will');
      const { client } = await h.open({ clientId: uniqueId(), will: { topic: willTopic, payload: 'last words', qos: 1, retain: true } });
      const stored = published(h.broker, willTopic);
      await client.destroy();
      await stored;
      const { client: late } = await h.open({ clientId: uniqueId() });
      await subscribe(late, [[willTopic, 1]]);
      const will = await receive(late, willTopic);
      expect({ payload: will.payload.toString(), retain: will.retain }).toEqual({ payload: 'last words', retain: true });
    });
  });

  describe('session', () => {
    it('[MQTT-3.1.2-4] [MQTT-3.1.2-5] keeps the subscriptions of a CleanSession 0 client and stores its QoS 1 and 2 messages while it is away', async () => {
      const clientId = uniqueId();
      const topic = topicFor('away');
      const { client: away } = await h.open({ clientId, clean: false });
      await subscribe(away, [[topic, 2]]);
      await disconnect(h.broker, away, clientId);
      const { client: pub } = await h.open({ clientId: uniqueId() });
      await publishSettled(h.broker, pub, topic, 'q1', { qos: 1 });
      await publishSettled(h.broker, pub, topic, 'q2', { qos: 2 });
      const { client: back, connack } = await h.open({ clientId, clean: false });
      expect(connack.sessionPresent).toBe(true);
      const stored = [await receive(back, topic), await receive(back, topic)];
      expect(stored.map((p) => [p.payload.toString(), p.qos])).toEqual([['q1', 1], ['q2', 2]]);
      // The subscription itself came back: a live message arrives without a new SUBSCRIBE.
      await publish(pub, topic, 'live', { qos: 1 });
      const live = await back.next('publish', (p) => p.payload.toString() === 'live');
      expect(live.qos).toBe(1);
    });

    it('[MQTT-3.1.2-5] [MQTT-3.8.4-6] stores a message for an absent client at no more than the QoS its subscription was granted', async () => {
      const clientId = uniqueId();
      const base = topicFor('granted');
      const { client: away } = await h.open({ clientId, clean: false });
      expect(await subscribe(away, [[`${base}/exact`, 1], [`${base}/wild/+`, 1]])).toEqual([1, 1]);
      await disconnect(h.broker, away, clientId);
      const { client: pub } = await h.open({ clientId: uniqueId() });
      await publishSettled(h.broker, pub, `${base}/exact`, 'exact', { qos: 2 });
      await publishSettled(h.broker, pub, `${base}/wild/a`, 'wild', { qos: 2 });
      const { client: back } = await h.open({ clientId, clean: false });
      const stored = [await receive(back), await receive(back)];
      expect(stored.map((p) => [p.payload.toString(), p.qos])).toEqual([['exact', 1], ['wild', 1]]);
    });

    it.each([1, 2] as const)('[MQTT-4.4.0-1] [MQTT-3.3.1-1] re-sends an unacknowledged QoS %i PUBLISH with its Packet Identifier and DUP 1 when a CleanSession 0 client returns', async (qos) => {
      const clientId = uniqueId();
      const topic = topicFor('unacked');
      const { client: away } = await h.open({ clientId, clean: false });
      await subscribe(away, [[topic, qos]]);
      const { client: pub } = await h.open({ clientId: uniqueId() });
      await publish(pub, topic, 'unacked', { qos });
      const first = await away.next('publish', (p) => p.topic === topic);
      expect({ qos: first.qos, dup: first.dup }).toEqual({ qos, dup: false });
      // Neither PUBACK nor PUBREC: the connection drops with the message in flight.
      const gone = clientGone(h.broker, clientId);
      await away.destroy();
      await gone;
      const { client: back } = await h.open({ clientId, clean: false });
      const again = await back.next('publish', (p) => p.topic === topic);
      expect({ messageId: again.messageId, dup: again.dup, payload: again.payload.toString() }).toEqual({ messageId: first.messageId, dup: true, payload: 'unacked' });
      await acknowledge(back, again);
    });

    it('[MQTT-3.1.2-6] discards the stored session, subscriptions and queued messages, when the client connects with CleanSession 1', async () => {
      const clientId = uniqueId();
      const topic = topicFor('discarded');
      const { client: away } = await h.open({ clientId, clean: false });
      await subscribe(away, [[topic, 1]]);
      await disconnect(h.broker, away, clientId);
      const { client: pub } = await h.open({ clientId: uniqueId() });
      await publishSettled(h.broker, pub, topic, 'queued', { qos: 1 });

      const { client: fresh, connack } = await h.open({ clientId, clean: true });
      expect(connack.sessionPresent).toBe(false);
      const fence = topicFor('fence');
      await subscribe(fresh, [[fence, 1]]);
      await publish(pub, topic, 'live', { qos: 1 });
      await publish(pub, fence, 'fence', { qos: 1 });
      // Neither the queued message nor one for the old subscription arrives before the fence.
      const first = await fresh.next('publish', (p) => p.topic === topic || p.topic === fence);
      expect(first.topic).toBe(fence);

      // Nothing of the clean session is kept for a later one either.
      fresh.send({ cmd: 'puback', messageId: first.messageId! });
      await disconnect(h.broker, fresh, clientId);
      const { connack: later } = await h.open({ clientId, clean: false });
      expect(later.sessionPresent).toBe(false);
    });
  });
}
