import { createHash } from 'node:crypto';
import { Writable } from 'node:stream';
import mqtt from 'mqtt';
import pino from 'pino';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { Cloud, SqliteStorage } from '../../cloud';
import { Gateway, GatewayConfigSchema } from '../../gateway';
import { decodeAny, decodeAs, encodeMessage, filters, parseTopic, topics, type DeadLetterV1, type FeaturesV2, type TelemetryV1 } from '../../protocol';
import { ScaledRealClock, startBroker, type EmbeddedBroker } from '../../sim';
import { waitUntil } from '../support/twinbed-process';
import { FUZZ_FULL, FUZZ_PAYLOADS, FUZZ_SEED, timeoutMs } from './fuzz-settings';
import { bump, countTable, FuzzSender, reasonClass, topicMatches } from './fuzz-sender';
import { CATEGORIES, CLOUD_SITE, fuzzCases, GATEWAY_SITE, type FuzzCase } from './payload-cases';

// FUZZ_PAYLOADS malformed payloads (5,000 in CI, 100,000 under `npm run fuzz`), half to a real gateway's device broker
// and half to a real cloud's broker, over loopback TCP. Every payload must end up dead-lettered, refused with a
// reason, or accepted, and each target's own counters must add up to what it was sent.

/** Arrays of up to hugeMax items and oversized payloads of oversizedBytes: enough to matter, small enough for 2 cores. */
const sizes = FUZZ_FULL ? { hugeMax: 200_000, oversizedBytes: 2 * 2 ** 20 } : { hugeMax: 20_000, oversizedBytes: 128 * 2 ** 10 };
const perTarget = Math.ceil(FUZZ_PAYLOADS / 2);

/** What the test saw become of each payload, by target. */
interface Tally {
  sent: number;
  byCategory: Map<string, number>;
  /** Refused before the target's own code saw it, by reason. */
  refused: Map<string, number>;
  /** Payloads the broker took that the target's code takes (its topics). */
  delivered: number;
  /** SHA-256 of every payload sent, to match dead letters back to them. */
  hashes: Set<string>;
}

const tally = (): Tally => ({ sent: 0, byCategory: new Map(), refused: new Map(), delivered: 0, hashes: new Set() });
const sha = (bytes: Uint8Array) => createHash('sha256').update(bytes).digest('base64');

describe(`${FUZZ_PAYLOADS.toLocaleString('en')} malformed payloads against a real gateway and cloud over loopback MQTT (seed ${FUZZ_SEED})`, () => {
  let deviceSideUplink: EmbeddedBroker;
  let cloudBroker: EmbeddedBroker;
  let storage: SqliteStorage;
  let cloud: Cloud;
  let gateway: Gateway;
  let uplinkWatcher: mqtt.MqttClient;
  let cloudWatcher: mqtt.MqttClient;
  const gatewayLetters: DeadLetterV1[] = [];
  const gatewayWindows: FeaturesV2[] = [];
  const invalidUplink: string[] = [];
  let cloudDeadLetterTopicSeen = 0;
  const ignoredReasons = new Map<string, number>();

  beforeAll(async () => {
    const clock = new ScaledRealClock();
    // The gateway's uplink goes to a broker of its own, so that each target's counters count only what the fuzz sent it.
    deviceSideUplink = await startBroker();
    cloudBroker = await startBroker();
    storage = new SqliteStorage();
    // The cloud logs each message it sets aside, with the reason, at debug.
    const logSink = new Writable({
      write(chunk: Buffer, _encoding, done) {
        for (const line of chunk.toString().split('\n')) {
          if (!line.includes('"ignored a message"')) continue;
          bump(ignoredReasons, reasonClass((JSON.parse(line) as { reason: string }).reason));
        }
        done();
      },
    });
    cloud = await Cloud.start({ brokerUrl: cloudBroker.url, storage, clock, site: CLOUD_SITE, clientId: 'fuzz-cloud', logger: pino({ level: 'debug' }, logSink) });
    gateway = await Gateway.start({
      // A window per block: each reading the gateway accepts becomes exactly one window.
      config: GatewayConfigSchema.parse({ site: GATEWAY_SITE, id: 'gw-fuzz', devices: { listen: { port: 0 } }, upstream: { url: deviceSideUplink.url }, pipelines: [{ sensors: ['*'], window: { blocks: 1 } }] }),
      clock,
    });
    uplinkWatcher = await mqtt.connectAsync(deviceSideUplink.url, { clientId: 'fuzz-uplink-watcher' });
    uplinkWatcher.on('message', (topic, payload) => {
      try {
        if (topic === topics.deadLetter(GATEWAY_SITE)) gatewayLetters.push(decodeAs(payload, 'deadletter'));
        else if (topic.includes('/features/')) gatewayWindows.push(decodeAs(payload, 'features') as FeaturesV2);
      } catch (error) {
        // What the gateway sends upstream must be valid: a cloud would dead-letter it.
        invalidUplink.push(`${topic}: ${(error as Error).message}: ${JSON.stringify(decodeAny(payload), (_k, v: unknown) => (typeof v === 'number' && !Number.isFinite(v) ? String(v) : v)).slice(0, 400)}`);
      }
    });
    await uplinkWatcher.subscribeAsync([topics.deadLetter(GATEWAY_SITE), filters.features(GATEWAY_SITE)], { qos: 1 });
    cloudWatcher = await mqtt.connectAsync(cloudBroker.url, { clientId: 'fuzz-cloud-watcher' });
    cloudWatcher.on('message', () => cloudDeadLetterTopicSeen++);
    await cloudWatcher.subscribeAsync(topics.deadLetter(CLOUD_SITE), { qos: 1 });
  }, 60_000);

  afterAll(async () => {
    await uplinkWatcher?.endAsync();
    await cloudWatcher?.endAsync();
    await gateway?.stop();
    await cloud?.stop();
    await storage?.close();
    await cloudBroker?.close();
    await deviceSideUplink?.close();
  });

  it('dead-letters or refuses every payload with a reason, keeps running, and its counters add up per target', { timeout: timeoutMs(240_000, 3_600_000) }, async () => {
    const startedMs = Date.now();
    const gatewaySide = tally();
    const cloudSide = tally();
    const gatewaySender = new FuzzSender(gateway.deviceUrl, 'fuzz-device');
    const cloudSender = new FuzzSender(cloudBroker.url, 'fuzz-gateway');
    const cloudFilters = [filters.features(CLOUD_SITE), filters.deadLetter(CLOUD_SITE), filters.raw(CLOUD_SITE), filters.event(CLOUD_SITE), filters.status(CLOUD_SITE), filters.reply(CLOUD_SITE)];
    /** Ours among what arrives on the cloud site's dead-letter topic (the rest are the cloud's own, coming back). */
    let oursOnCloudDeadLetterTopic = 0;

    const send = async (sender: FuzzSender, side: Tally, fuzz: FuzzCase, takes: (topic: string) => boolean, notTaken: string) => {
      side.sent++;
      bump(side.byCategory, fuzz.category);
      side.hashes.add(sha(fuzz.payload));
      await sender.send(fuzz.topic, fuzz.payload, (outcome) => {
        if (!outcome.acked) return bump(side.refused, `the broker closed the connection on it (${refusedTopic(fuzz.topic)}): ${outcome.reason}`);
        if (!takes(fuzz.topic)) return bump(side.refused, notTaken);
        side.delivered++;
        if (fuzz.target === 'cloud' && fuzz.topic === topics.deadLetter(CLOUD_SITE)) oursOnCloudDeadLetterTopic++;
      });
    };

    const gatewayCases = fuzzCases('gateway', perTarget, FUZZ_SEED, sizes);
    const cloudCases = fuzzCases('cloud', perTarget, FUZZ_SEED, sizes);
    // Both targets at once, one payload in flight each: a broker that closes the connection names its payload.
    await Promise.all([
      (async () => {
        for (const fuzz of gatewayCases) {
          await send(gatewaySender, gatewaySide, fuzz, (topic) => {
            const where = parseTopic(topic);
            return where?.kind === 'telemetry' && where.site === GATEWAY_SITE;
          }, 'not a telemetry topic of the gateway\'s site: the device broker takes it, no pipeline subscribes');
        }
      })(),
      (async () => {
        for (const fuzz of cloudCases) {
          await send(cloudSender, cloudSide, fuzz, (topic) => cloudFilters.some((f) => topicMatches(f, topic)), 'no cloud subscription matches the topic: the broker routes it nowhere');
        }
      })(),
    ]);
    await gatewaySender.close();
    await cloudSender.close();
    const sentMs = Date.now() - startedMs;
    // A broker that closes a connection on a payload it does not refuse by its topic rules loses the payloads in flight.
    expect(gatewaySender.unattributedCloses + cloudSender.unattributedCloses, 'connections closed with several payloads in flight').toBe(0);

    // The gateway: every delivered payload received; each one dead-lettered (and published upstream) or made a window.
    const settleStartedMs = Date.now();
    await gateway.idle();
    expect(invalidUplink, 'messages the gateway sent upstream that do not validate').toEqual([]);
    const settled = await waitUntil(() => {
      const c = gateway.counters();
      return gatewayLetters.length === c.deadLettered && gatewayWindows.length === c.windows && c.deadLettered + c.windows === c.received;
    }, timeoutMs(60_000, 600_000));
    const g = gateway.counters();
    expect(settled, `gateway counters ${JSON.stringify(g)}, seen upstream: ${gatewayLetters.length} dead letters, ${gatewayWindows.length} windows`).toBe(true);
    expect(g.received).toBe(gatewaySide.delivered);
    const gatewayRefused = sum(gatewaySide.refused);
    expect(g.deadLettered + gatewayRefused + g.windows).toBe(gatewaySide.sent);
    // Each dead letter carries a reason and the payload exactly as it came.
    const gatewayReasons = new Map<string, number>();
    for (const letter of gatewayLetters) {
      expect(letter.stage).toBe('gateway');
      expect(letter.reason.trim()).not.toBe('');
      expect(gatewaySide.hashes.has(sha(Buffer.from(letter.payloadB64, 'base64')))).toBe(true);
      bump(gatewayReasons, reasonClass(letter.reason));
    }

    // The cloud: every delivered payload taken (data, control, or set aside), and every data message committed as
    // stored, a duplicate, a raw block, an edge event or a dead letter.
    const cloudSettled = await waitUntil(async () => {
      await cloud.idle();
      const s = cloud.stats();
      const echoes = cloudDeadLetterTopicSeen - oursOnCloudDeadLetterTopic;
      return s.received + s.controlReceived + s.ignored! - echoes === cloudSide.delivered && s.stored + s.duplicatesDropped + s.rawStored + s.edgeEvents + s.deadLettered === s.received;
    }, timeoutMs(60_000, 600_000));
    const s = cloud.stats();
    const echoes = cloudDeadLetterTopicSeen - oursOnCloudDeadLetterTopic;
    expect(cloudSettled, `cloud stats ${JSON.stringify(s)}, delivered ${cloudSide.delivered}, its own dead letters back ${echoes}`).toBe(true);
    const cloudAccepted = s.stored + s.duplicatesDropped + s.rawStored + s.edgeEvents + s.controlReceived;
    // Each message set aside was logged with its reason; the cloud's own dead letters coming back are not the fuzz's.
    expect(sum(ignoredReasons)).toBe(s.ignored);
    const cloudRefusals = new Map(cloudSide.refused);
    for (const [reason, n] of ignoredReasons) {
      const fromFuzz = reason === reasonClass('the cloud\'s own dead letter') ? n - echoes : n;
      if (fromFuzz > 0) bump(cloudRefusals, `set aside as not news: ${reason}`, fromFuzz);
    }
    const cloudRefused = sum(cloudRefusals);
    expect(cloudRefused).toBe(sum(cloudSide.refused) + s.ignored! - echoes);
    expect(s.deadLettered + cloudRefused + cloudAccepted).toBe(cloudSide.sent);
    const cloudReasons = new Map<string, number>();
    const gatewayStageLetters = await eachDeadLetter(storage, (letter) => {
      if (letter.stage !== 'cloud') return;
      expect(letter.reason.trim()).not.toBe('');
      expect(cloudSide.hashes.has(sha(Buffer.from(letter.payloadB64, 'base64')))).toBe(true);
      bump(cloudReasons, reasonClass(letter.reason));
    });
    expect(sum(cloudReasons) + gatewayStageLetters).toBe(s.deadLettered);

    const settleMs = Date.now() - settleStartedMs;
    // Still running: a valid reading and a valid window sent now go through.
    const afterGateway = await mqtt.connectAsync(gateway.deviceUrl, { clientId: 'fuzz-after' });
    const reading: TelemetryV1 = { type: 'telemetry', v: 1, device: 'after-fuzz', sensor: 'accel', seq: 0, tsMs: Date.now(), rateHz: 1000, unit: 'g', values: [0.5, -0.5, 0.5, -0.5] };
    await afterGateway.publishAsync(topics.telemetry(GATEWAY_SITE, 'after-fuzz', 'accel'), Buffer.from(encodeMessage(reading, 'cbor')), { qos: 1 });
    await afterGateway.endAsync();
    expect(await waitUntil(() => gatewayWindows.some((w) => w.device === 'after-fuzz'), 10_000), 'the gateway processes a valid reading after the fuzz').toBe(true);
    const afterCloud = await mqtt.connectAsync(cloudBroker.url, { clientId: 'fuzz-after' });
    const window: FeaturesV2 = { type: 'features', v: 2, device: 'after-fuzz', sensor: 'accel', seq: 0, tsMs: Date.now(), windowMs: 4, unit: 'g', features: { rms: 0.5, peak: 0.5, crest: 1 } };
    await afterCloud.publishAsync(topics.features(CLOUD_SITE, 'after-fuzz', 'accel'), Buffer.from(encodeMessage(window, 'cbor')), { qos: 1 });
    await afterCloud.endAsync();
    expect(await waitUntil(async () => (await storage.latest('after-fuzz')).length === 1, 10_000), 'the cloud stores a valid window after the fuzz').toBe(true);

    console.log(
      [
        `payload fuzz, seed ${FUZZ_SEED}: ${gatewaySide.sent + cloudSide.sent} payloads sent in ${(sentMs / 1000).toFixed(1)} s, all handled ${(settleMs / 1000).toFixed(1)} s later (${process.platform}/${process.arch}, node ${process.version})`,
        countTable('sent, by category (gateway | cloud):', new Map(CATEGORIES.map((c) => [`${c}: ${gatewaySide.byCategory.get(c) ?? 0} | ${cloudSide.byCategory.get(c) ?? 0}`, (gatewaySide.byCategory.get(c) ?? 0) + (cloudSide.byCategory.get(c) ?? 0)]))),
        `gateway: sent ${gatewaySide.sent} = dead-lettered ${g.deadLettered} + refused ${gatewayRefused} + accepted ${g.windows} (windows)`,
        countTable('  gateway dead letters, by reason:', gatewayReasons),
        countTable('  gateway refusals, by reason:', gatewaySide.refused),
        `cloud: sent ${cloudSide.sent} = dead-lettered ${s.deadLettered} (${sum(cloudReasons)} rejected, ${gatewayStageLetters} gateway dead letters stored) + refused ${cloudRefused} + accepted ${cloudAccepted} (stored ${s.stored}, duplicates ${s.duplicatesDropped}, raw ${s.rawStored}, edge events ${s.edgeEvents}, status and replies ${s.controlReceived})`,
        countTable('  cloud rejections (dead-lettered), by reason:', cloudReasons),
        countTable('  cloud refusals, by reason:', cloudRefusals),
        `broker connections closed on a refused PUBLISH: gateway ${gatewaySender.closes}, cloud ${cloudSender.closes}`,
      ].join('\n'),
    );
  });
});

/** Why a broker refuses a PUBLISH by its topic alone. */
function refusedTopic(topic: string): string {
  if (topic.includes('\u0000')) return 'U+0000 in the topic [MQTT-1.5.3-2]';
  if (topic.startsWith('$')) return '$SYS topics are the broker\'s';
  return 'an unexpected refusal';
}

function sum(counts: ReadonlyMap<string, number>): number {
  let n = 0;
  for (const c of counts.values()) n += c;
  return n;
}

/** Calls `each` on every stored dead letter; returns how many were gateway-stage letters. */
async function eachDeadLetter(storage: SqliteStorage, each: (letter: { stage: string; reason: string; payloadB64: string }) => void): Promise<number> {
  let gatewayStage = 0;
  let cursor: string | undefined;
  do {
    const page = await storage.deadLettersPage({ limit: 10_000, ...(cursor ? { cursor } : {}) });
    for (const letter of page.items) {
      if (letter.stage === 'gateway') gatewayStage++;
      each(letter);
    }
    cursor = page.next;
  } while (cursor);
  return gatewayStage;
}
