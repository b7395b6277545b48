import { afterEach, describe, expect, it } from 'vitest';
import { VirtualClock, type MqttClient } from '../../../sim/index';
import type { MqttProxy } from '../../../sim/proxy/index';
import { cleanupList, collect, mqttClient, pause, proxyTo, until } from './support';

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

    it('holds every PUBLISH for exactly the configured 100 ms of its clock: none is out at 99 ms, each is at 100 ms', async () => {
      // On a VirtualClock the proxy's time moves only when the test moves it, so the delay is exact, not a wall-clock figure.
      const T0 = Date.UTC(2026, 0, 1);
      const clock = new VirtualClock(T0);
      const { proxy, direct } = await setup({ up: { latencyMs: 100 }, clock });
      const t = topic();
      const subscriber = await client(direct);
      const seen = await collect(subscriber, t);
      // Control packets take the fixed latency too: the CONNECT reaches the broker when the clock passes 100 ms.
      const connecting = client(proxy.url);
      await until(() => proxy.counters().up.packets === 1, 'the CONNECT at the proxy');
      await clock.runUntil(clock.now() + 100);
      const publisher = await connecting;
      for (let i = 0; i < 10; i++) {
        const text = `m-${i}`;
        publisher.publish(t, text, { qos: 0 });
        await until(() => proxy.counters().up.publishes === i + 1, `${text} at the proxy`);
        const readAtMs = clock.now();
        await clock.runUntil(readAtMs + 99);
        expect(proxy.counters().up.forwarded, `${text} after 99 ms`).toBe(i);
        await clock.runUntil(readAtMs + 100);
        expect(proxy.counters().up.forwarded, `${text} after 100 ms`).toBe(i + 1);
        await until(() => seen.some((m) => m.text === text), `${text} at the subscriber`);
      }
      expect(seen.map((m) => m.text)).toEqual(Array.from({ length: 10 }, (_, i) => `m-${i}`));
      const counters = proxy.counters().up;
      expect(counters.addedDelayMs).toMatchObject({ count: 10, minMs: 100, maxMs: 100 });
      expect(counters.delayed).toBe(10);
    });

    it('makes a subscriber behind a duplicating link see every message twice', async () => {
      const { proxy, direct } = await setup({ down: { duplicate: 1, duplicateDelayMs: 5 } });
      const t = topic();
      const subscriber = await client(proxy.url);
      const seen = await collect(subscriber, t);
      const publisher = await client(direct);
      for (let i = 0; i < 10; i++) publisher.publish(t, `m-${i}`, { qos: 0 });
      // Each PUBLISH is judged as it is read, copies and all: once all 10 are, the proxy has decided every copy it sends.
      const decided = () => proxy.counters().down.publishes + proxy.counters().down.duplicated;
      await until(() => proxy.counters().down.publishes === 10 && seen.length >= decided(), 'every copy the proxy decided on');
      expect(proxy.counters().down).toMatchObject({ publishes: 10, duplicated: 10, forwarded: 20 });
      expect(seen.map((m) => m.text).sort()).toEqual(Array.from({ length: 10 }, (_, i) => [`m-${i}`, `m-${i}`]).flat().sort());
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
      // The client keeps trying (every 200 ms) and the proxy keeps refusing: two more refusals with the message queued.
      const refused = proxy.counters().connections.refused;
      await until(() => proxy.counters().connections.refused >= refused + 2, 'two more refused reconnection attempts');
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
      await until(() => proxy.counters().up.dropped.loss === 1, 'the PUBLISH lost at the proxy');
      proxy.setImpairment('up', {});
      // The link is healthy again: a second QoS 1 PUBLISH on the same session goes through and is acknowledged,
      // but the lost one, sent before it, is not resent while the session is up.
      await publisher.publishAsync(t, 'after the loss', { qos: 1 });
      await until(() => seen.some((m) => m.text === 'after the loss'), 'the message after the loss');
      expect(seen.map((m) => m.text)).toEqual(['after the loss']);
      expect(acked).toBe(false);
      expect(proxy.counters().up).toMatchObject({ publishes: 2, forwarded: 1 });
      expect(proxy.resetConnections()).toBe(1);
      await ack;
      await until(() => seen.length >= 2, 'the redelivered message');
      expect(seen[1]).toMatchObject({ text: 'at least once' });
      expect(proxy.counters().up.dropped.loss).toBe(1);
    });

    it('holds traffic both ways during a stall, losing nothing, then delivers it in order', async () => {
      const { proxy, direct } = await setup();
      const t = topic();
      const subscriber = await client(proxy.url);
      const seen = await collect(subscriber, t);
      const publisher = await client(direct);
      const routed = await collect(await client(direct), t);
      proxy.setImpairment('down', { stall: true });
      for (let i = 0; i < 5; i++) publisher.publish(t, `held-${i}`, { qos: 0 });
      // A subscriber beside the proxy has all five, so the broker has passed them on toward it too. That nothing comes
      // through cannot be waited for, only watched: 300 ms, from the moment there was something to hold.
      await until(() => routed.length === 5, 'the five at a subscriber straight on the broker');
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
