import { afterEach, describe, expect, it } from 'vitest';
import { DeferredAcks, type AckTicket } from '../../../cloud/ingest/deferred-acks';
import { connectMqtt, startBroker, type EmbeddedBroker, type MqttClient } from '../../../sim';

async function until(condition: () => boolean, what: string, timeoutMs = 20_000): Promise<void> {
  const deadline = performance.now() + timeoutMs;
  while (!condition()) {
    if (performance.now() > deadline) throw new Error(`timed out waiting for ${what}`);
    await new Promise((resolve) => setTimeout(resolve, 5));
  }
}

interface Subscriber {
  client: MqttClient;
  acks: DeferredAcks;
  received: string[];
  tickets: AckTicket[];
}

async function subscriber(url: string): Promise<Subscriber> {
  const sub = { received: [] as string[], tickets: [] as AckTicket[] } as Subscriber;
  sub.client = await connectMqtt(url, {
    clientId: 'cloud-under-test',
    clean: false,
    prepare: (client) => {
      sub.acks = new DeferredAcks(client);
      client.handleMessage = (packet, done) => {
        if (packet.qos === 1 && packet.messageId !== undefined) sub.tickets.push(sub.acks.hold(packet.messageId));
        sub.received.push(String(packet.payload));
        done();
      };
    },
  });
  await sub.client.subscribeAsync('t/#', { qos: 1 });
  return sub;
}

describe('deferred PUBACKs', () => {
  let broker: EmbeddedBroker;
  const clients: MqttClient[] = [];
  afterEach(async () => {
    for (const c of clients.splice(0)) c.end(true);
    await broker?.close();
  });

  it('a message whose commit never finished comes back to the persistent session after a crash', async () => {
    broker = await startBroker();
    const first = await subscriber(broker.url);
    const publisher = await connectMqtt(broker.url, { clientId: 'pub' });
    clients.push(publisher);
    await publisher.publishAsync('t/a', 'm1', { qos: 1 });
    await until(() => first.received.includes('m1'), 'm1 at the first subscriber');
    expect(first.acks.held).toBe(1);
    first.client.end(true); // no DISCONNECT, no PUBACK: as a SIGKILL leaves it

    const second = await subscriber(broker.url);
    clients.push(second.client);
    await until(() => second.received.includes('m1'), 'm1 redelivered');
    expect(second.received).toEqual(['m1']);
  });

  it('a released message is acknowledged and not delivered again', async () => {
    broker = await startBroker();
    const acked: number[] = [];
    broker.aedes.on('ack', (packet) => {
      if (packet && 'messageId' in packet && packet.messageId !== undefined) acked.push(packet.messageId);
    });
    const first = await subscriber(broker.url);
    const publisher = await connectMqtt(broker.url, { clientId: 'pub' });
    clients.push(publisher);
    await publisher.publishAsync('t/a', 'm1', { qos: 1 });
    await until(() => first.received.includes('m1'), 'm1 at the first subscriber');
    const before = acked.length;
    first.acks.release(first.tickets);
    await until(() => acked.length > before, 'the broker to take the PUBACK');
    expect(first.acks.held).toBe(0);
    first.client.end(true);

    const second = await subscriber(broker.url);
    clients.push(second.client);
    await publisher.publishAsync('t/a', 'm2', { qos: 1 });
    await until(() => second.received.includes('m2'), 'm2');
    expect(second.received).toEqual(['m2']);
  });

  it('keeps reading while PUBACKs are held, so a batch can fill before its commit', async () => {
    broker = await startBroker();
    const sub = await subscriber(broker.url);
    clients.push(sub.client);
    const publisher = await connectMqtt(broker.url, { clientId: 'pub' });
    clients.push(publisher);
    for (let i = 0; i < 100; i++) publisher.publish('t/a', `m${i}`, { qos: 1 });
    await until(() => sub.received.length === 100, '100 messages with none acknowledged');
    expect(sub.acks.held).toBe(100);
    sub.acks.release(sub.tickets);
    expect(sub.acks.held).toBe(0);
    expect(sub.acks.released).toBe(100);
  });
});
