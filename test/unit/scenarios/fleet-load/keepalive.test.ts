import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { startMosquitto, type Mosquitto } from '../../../integration/proxy/mosquitto';
import { waitUntil } from '../../../support/twinbed-process';
import { ConnectGate, DeviceConnectionSchema, DeviceSession, sessionConnectFor, TransportStats, TwinbedDialect } from '../../../../twins/index';

let broker: Mosquitto;
beforeAll(async () => {
  // log_type all: the broker logs each PINGREQ it receives.
  broker = await startMosquitto(['log_type all']);
});
afterAll(async () => {
  await broker.close();
});

describe('idle devices of a load run', () => {
  it('send PINGREQ in time on the shared keepalive clock: a broker that drops silent clients after 1.5 × keepalive keeps them', async () => {
    const stats = new TransportStats();
    const connection = { ...DeviceConnectionSchema.parse({ keepaliveS: 1, clientId: 'idle-{device}' }), url: `mqtt://127.0.0.1:${broker.port}` };
    const sessions = await Promise.all(
      ['a', 'b', 'c'].map(async (device, index) => {
        const id = { site: 'lab', device, index, sensors: [] };
        return DeviceSession.open({ id, connect: await sessionConnectFor(connection, id, process.cwd()), dialect: new TwinbedDialect(id, { codec: 'cbor' }), stats, gate: new ConnectGate(), onCommand: () => {} });
      }),
    );
    try {
      // Nothing is published: only PINGREQs keep the connections up. Wait for three from each device.
      const pings = (device: string) => broker.output().split(`Received PINGREQ from idle-${device}`).length - 1;
      expect(await waitUntil(() => ['a', 'b', 'c'].every((d) => pings(d) >= 3), 10_000), broker.output().slice(-2000)).toBe(true);
      expect(sessions.every((s) => s.connected)).toBe(true);
      expect(stats.summary()).toMatchObject({ connectsEstablished: 3, connectedNow: 3, disconnects: 0, errors: {} });
      expect(broker.output()).not.toMatch(/exceeded timeout|disconnecting/);
    } finally {
      await Promise.all(sessions.map((s) => s.close()));
    }
  }, 15_000);
});
