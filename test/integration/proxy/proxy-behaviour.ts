import { afterEach, describe, expect, it } from 'vitest';
import type { MqttClient } from '../../../sim/index';
import type { MqttProxy } from '../../../sim/proxy/index';
import { cleanupList, collect, median, mqttClient, pause, proxyTo, until } from './support';

/** A broker the proxy can sit in front of. */
export interface Upstream {
  port: number;
  close(): Promise<void>;
}

/**
 * What the proxy does to real MQTT traffic, as a suite that every broker runs (aedes, which twinbed embeds, and
 * Mosquitto, which it did not write). Clients are mqtt.js; a client "via the proxy" connects to the proxy, a
 * client "direct" to the broker, so each test impairs exactly one hop.
 */
export function proxyBehaviourSuite(brokerName: string, startUpstream: () => Promise<Upstream>, options: { mqtt5: boolean }): void {
  describe(`the MQTT proxy in front of ${brokerName}`, () => {
    const cleanups = cleanupList();
    afterEach(() => cleanups.run());

    let topicSeq = 0;
    const topic = () => `proxy-test/${brokerName.replace(/\W/g, '')}/${process.pid}/${topicSeq++}`;

    async function setup(impairments: Parameters<typeof proxyTo>[1] = {}): Promise<{ proxy: MqttProxy; direct: string }> {
      const upstream = await startUpstream();
      cleanups.add(() => upstream.close());
      const proxy = await proxyTo(upstream.port, impairments);
      cleanups.add(() => proxy.close());
      return { proxy, direct: `mqtt://127.0.0.1:${upstream.port}` };
    }

    async function client(url: string, options: Parameters<typeof mqttClient>[1] = {}): Promise<MqttClient> {
      const connected = await mqttClient(url, options);
      cleanups.add(() => connected.endAsync(true));
      return connected;
    }

    it('loses every QoS 0 PUBLISH under loss 1.0 while the connection stays up and PINGs still get answers', async () => {
      const { proxy, direct } = await setup({ up: { loss: 1 } });
      const t = topic();
      const subscriber = await client(direct);
      const seen = await collect(subscriber, t);
      const publisher = await client(proxy.url, { keepalive: 1 });
      let pingResponses = 0;
      publisher.on('packetreceive', (packet) => void (packet.cmd === 'pingresp' && pingResponses++));
      for (let i = 0; i < 20; i++) publisher.publish(t, `lost-${i}`, { qos: 0 });
      await until(() => pingResponses >= 1, 'a PINGRESP through the proxy', 5_000);
      expect(seen).toEqual([]);
      expect(publisher.connected).toBe(true);
      const counters = proxy.counters();
      expect(counters.up.publishes).toBe(20);
      expect(counters.up.dropped.loss).toBe(20);
      expect(counters.up.forwarded).toBe(0);
      expect(counters.connections).toMatchObject({ accepted: 1, active: 1, reset: 0 });

      // The same connection carries PUBLISHes again once the loss is lifted.
      proxy.setImpairment('up', {});
      publisher.publish(t, 'kept', { qos: 0 });
      await until(() => seen.length === 1, 'the message after the loss was lifted');
      expect(seen.map((m) => m.text)).toEqual(['kept']);
      expect(proxy.counters().connections.accepted).toBe(1);
    });

    it('adds the configured 100 ms of latency to publish → receive', async () => {
      const { proxy, direct } = await setup({ up: { latencyMs: 100 } });
      const t = topic();
      const subscriber = await client(direct);
      const seen = await collect(subscriber, t);
      const viaProxy = await client(proxy.url);
      const directPublisher = await client(direct);
      const delays = async (publisher: MqttClient, tag: string) => {
        const out: number[] = [];
        for (let i = 0; i < 10; i++) {
          const text = `${tag}-${i}`;
          const sentMs = performance.now();
          publisher.publish(t, text, { qos: 0 });
          await until(() => seen.some((m) => m.text === text), text);
          out.push(seen.find((m) => m.text === text)!.atMs - sentMs);
        }
        return out;
      };
      const directMs = median(await delays(directPublisher, 'direct'));
      const proxiedMs = median(await delays(viaProxy, 'proxied'));
      expect(proxiedMs - directMs).toBeGreaterThanOrEqual(95);
      expect(proxiedMs - directMs).toBeLessThan(140);
      const added = proxy.counters().up.addedDelayMs;
      expect(added.count).toBe(10);
      expect(added.p50Ms).toBeGreaterThanOrEqual(99);
      expect(added.p50Ms).toBeLessThan(120);
      expect(proxy.counters().up.delayed).toBe(10);
    });

    it('makes a subscriber behind a duplicating link see every message twice', async () => {
      const { proxy, direct } = await setup({ down: { duplicate: 1, duplicateDelayMs: 5 } });
      const t = topic();
      const subscriber = await client(proxy.url);
      const seen = await collect(subscriber, t);
      const publisher = await client(direct);
      for (let i = 0; i < 10; i++) publisher.publish(t, `m-${i}`, { qos: 0 });
      await until(() => seen.length >= 20, '20 deliveries');
      await pause(100);
      expect(seen.map((m) => m.text).sort()).toEqual(Array.from({ length: 10 }, (_, i) => [`m-${i}`, `m-${i}`]).flat().sort());
      expect(proxy.counters().down.duplicated).toBe(10);
    });

    it('disconnects and refuses clients during a partition; afterwards a clean:false client reconnects and its QoS 1 message arrives', async () => {
      const { proxy, direct } = await setup();
      const t = topic();
      const subscriber = await client(direct);
      const seen = await collect(subscriber, t, 1);
      const publisher = await client(proxy.url, { clientId: `partitioned-${topicSeq}`, clean: false });
      const dropped = new Promise<void>((resolve) => publisher.once('close', () => resolve()));
      proxy.setImpairment('both', { partition: true });
      await dropped;
      await until(() => proxy.counters().connections.refused >= 2, 'two refused reconnection attempts');
      expect(publisher.connected).toBe(false);

      const acked = publisher.publishAsync(t, 'sent during the partition', { qos: 1 });
      await pause(300);
      expect(seen).toEqual([]);
      proxy.setImpairment('both', {});
      await acked;
      await until(() => seen.length >= 1, 'the QoS 1 message after the partition');
      expect(seen[0]!.text).toBe('sent during the partition');
      expect(publisher.connected).toBe(true);
      expect(proxy.counters().connections.reset).toBe(1);
    });

    it('redelivers a dropped QoS 1 PUBLISH only after a reconnect, never on the live session [MQTT-4.4.0-1]', async () => {
      const { proxy, direct } = await setup({ up: { loss: 1 } });
      const t = topic();
      const subscriber = await client(direct);
      const seen = await collect(subscriber, t, 1);
      const publisher = await client(proxy.url, { clientId: `redeliver-${topicSeq}`, clean: false });
      let acked = false;
      const ack = publisher.publishAsync(t, 'at least once', { qos: 1 }).then(() => (acked = true));
      await pause(300);
      proxy.setImpairment('up', {});
      await pause(500);
      // The link is healthy again, but the PUBLISH was lost and the session is still up: nobody resends it.
      expect(seen).toEqual([]);
      expect(acked).toBe(false);
      expect(proxy.resetConnections()).toBe(1);
      await ack;
      await until(() => seen.length >= 1, 'the redelivered message');
      expect(seen[0]).toMatchObject({ text: 'at least once' });
      expect(proxy.counters().up.dropped.loss).toBe(1);
    });

    it('holds traffic both ways during a stall, losing nothing, then delivers it in order', async () => {
      const { proxy, direct } = await setup();
      const t = topic();
      const subscriber = await client(proxy.url);
      const seen = await collect(subscriber, t);
      const publisher = await client(direct);
      proxy.setImpairment('down', { stall: true });
      for (let i = 0; i < 5; i++) publisher.publish(t, `held-${i}`, { qos: 0 });
      await pause(300);
      expect(seen).toEqual([]);
      expect(subscriber.connected).toBe(true);
      proxy.setImpairment('down', {});
      await until(() => seen.length === 5, 'the held messages');
      expect(seen.map((m) => m.text)).toEqual(['held-0', 'held-1', 'held-2', 'held-3', 'held-4']);
      expect(proxy.counters().connections.reset).toBe(0);
    });

    it('resets every connection when an impairment with reset: true is set, and clients reconnect', async () => {
      const { proxy } = await setup();
      const subscriber = await client(proxy.url, { clientId: `reset-${topicSeq}` });
      const reconnected = new Promise<void>((resolve) => subscriber.once('close', () => subscriber.once('connect', () => resolve())));
      proxy.setImpairment('up', { reset: true });
      await reconnected;
      const counters = proxy.counters();
      expect(counters.connections.reset).toBe(1);
      expect(counters.connections.accepted).toBe(2);
      expect(counters.up.link.resets).toBe(1);
    });

    if (options.mqtt5) {
      it('carries MQTT v5 properties end to end and reads the client\'s protocol version from CONNECT', async () => {
        const { proxy } = await setup();
        const t = topic();
        const subscriber = await client(proxy.url, { protocolVersion: 5, clientId: `v5-sub-${topicSeq}` });
        const received = new Promise<unknown>((resolve) => subscriber.on('message', (_t, _p, packet) => resolve(packet.properties?.userProperties)));
        await subscriber.subscribeAsync(t, { qos: 1 });
        const publisher = await client(proxy.url, { protocolVersion: 5 });
        await publisher.publishAsync(t, 'v5', { qos: 1, properties: { userProperties: { line: '7', shift: 'night' } } });
        expect(await received).toEqual({ line: '7', shift: 'night' });
        expect(proxy.connections().find((c) => c.clientId === `v5-sub-${topicSeq}`)?.protocolVersion).toBe(5);
      });
    } else {
      it('reads an MQTT 3.1.1 client\'s id and protocol version from CONNECT', async () => {
        const { proxy } = await setup();
        await client(proxy.url, { protocolVersion: 4, clientId: `v4-${topicSeq}` });
        expect(proxy.connections()).toEqual([expect.objectContaining({ id: 1, clientId: `v4-${topicSeq}`, protocolVersion: 4 })]);
      });
    }
  });
}
