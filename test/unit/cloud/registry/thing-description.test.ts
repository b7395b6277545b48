import { describe, expect, it } from 'vitest';
import { thingDescription, type Form, type ThingDescription } from '../../../../cloud/registry';
import type { RegistryEntry, Shadow } from '../../../../cloud/records';

const T0 = Date.UTC(2026, 0, 1);
const BASE = 'http://127.0.0.1:8080';
const BROKER = 'mqtt://127.0.0.1:1884';

const pump: RegistryEntry = { id: 'pump-1', kind: 'device', site: 'plant-a', online: true, lastSeenMs: T0, gateway: 'gw-1', sensors: ['accel', 'winding-temp'] };
const gateway: RegistryEntry = { id: 'gw-1', kind: 'gateway', site: 'plant-a', online: true, lastSeenMs: T0, sensors: [] };
const pumpShadow: Shadow = {
  device: 'pump-1',
  reported: { sensors: { accel: { tsMs: T0, unit: 'g', features: { rms: 0.2, peak: 0.5, crest: 2.5, kurtosis: 3.1 } } } },
  desired: {},
  reportedMs: T0,
  desiredMs: 0,
  version: 1,
};

/** Every form of every property, action and event. */
function forms(td: ThingDescription): Form[] {
  return [...Object.values(td.properties), ...Object.values(td.actions), ...Object.values(td.events)].flatMap((a) => a.forms);
}

describe('thingDescription (W3C WoT TD 1.1)', () => {
  it('carries every mandatory TD 1.1 term: @context, title, security naming its securityDefinitions, forms with href on every affordance', () => {
    for (const td of [thingDescription(pump, pumpShadow, { baseUrl: BASE, brokerUrl: BROKER }), thingDescription(gateway, undefined, { baseUrl: BASE, brokerUrl: BROKER })]) {
      // [TD 1.1 §5.3.1.1] Thing: @context (starting with the 1.1 URI), title, security, securityDefinitions
      expect(td['@context'][0]).toBe('https://www.w3.org/2022/wot/td/v1.1');
      expect(td.title).toMatch(/\S/);
      expect(td.security.length).toBeGreaterThan(0);
      for (const name of td.security) expect(td.securityDefinitions[name]?.scheme).toBe('nosec');
      // [TD 1.1 §5.3.1.2] every interaction affordance has at least one form; [§5.3.4.2] every form an href
      const affordances = [...Object.values(td.properties), ...Object.values(td.actions), ...Object.values(td.events)];
      expect(affordances.length).toBeGreaterThan(2);
      for (const affordance of affordances) {
        expect(affordance.forms.length).toBeGreaterThan(0);
        for (const form of affordance.forms) expect(() => new URL(form.href)).not.toThrow();
      }
    }
  });

  it('names the thing urn:twinbed:<site>:<device>', () => {
    expect(thingDescription(pump, pumpShadow, { baseUrl: BASE }).id).toBe('urn:twinbed:plant-a:pump-1');
    expect(thingDescription(gateway, undefined, { baseUrl: BASE }).id).toBe('urn:twinbed:plant-a:gw-1');
  });

  it('makes each sensor a read-only observable property read over HTTP from its latest path and observed on its features topic', () => {
    const td = thingDescription(pump, pumpShadow, { baseUrl: `${BASE}/`, brokerUrl: BROKER });
    const accel = td.properties.accel!;
    expect(accel).toMatchObject({ readOnly: true, observable: true, unit: 'g', type: 'object' });
    expect(accel.forms).toEqual([
      { href: `${BASE}/api/devices/pump-1/latest/accel`, op: ['readproperty'], contentType: 'application/json', 'htv:methodName': 'GET' },
      {
        href: 'mqtt://127.0.0.1:1884',
        op: ['observeproperty', 'unobserveproperty'],
        contentType: 'application/cbor',
        'mqv:filter': 'twinbed/v1/plant-a/pump-1/features/accel',
        'mqv:qos': 'quality:1',
      },
    ]);
    // Features from the shadow, each in the sensor unit unless dimensionless.
    expect((accel.properties as { features: { properties: unknown } }).features.properties).toEqual({
      rms: { type: 'number', unit: 'g' },
      peak: { type: 'number', unit: 'g' },
      crest: { type: 'number' },
      kurtosis: { type: 'number' },
    });
    expect(td.properties['winding-temp']?.forms[0]?.href).toBe(`${BASE}/api/devices/pump-1/latest/winding-temp`);
  });

  it('lists slow-down, stop and resume for a pump, each published on its cmd topic as a cmd message, and its alerts as an event', () => {
    const td = thingDescription(pump, pumpShadow, { baseUrl: BASE, brokerUrl: 'tcp://broker.local:1883' });
    expect(Object.keys(td.actions)).toEqual(['slow-down', 'stop', 'resume']);
    expect(td.actions['slow-down']!.forms).toEqual([
      { href: 'mqtt://broker.local:1883', op: ['invokeaction'], contentType: 'application/json', 'mqv:topic': 'twinbed/v1/plant-a/pump-1/cmd', 'mqv:qos': 'quality:1' },
    ]);
    const input = td.actions['slow-down']!.input as { properties: Record<string, { const?: unknown }>; required: string[] };
    expect(input.properties.action).toMatchObject({ const: 'slow-down' });
    expect(input.properties.device).toMatchObject({ const: 'pump-1' });
    expect(input.required).toEqual(expect.arrayContaining(['type', 'v', 'device', 'tsMs', 'id', 'action']));
    expect(td.events.alert!.forms).toEqual([
      { href: 'mqtt://broker.local:1883', op: ['subscribeevent', 'unsubscribeevent'], contentType: 'application/json', 'mqv:filter': 'twinbed/v1/plant-a/pump-1/event', 'mqv:qos': 'quality:1' },
    ]);
  });

  it('gives a gateway the model actions, its retained status as a readable property and its replies as an event', () => {
    const td = thingDescription(gateway, undefined, { baseUrl: BASE, brokerUrl: BROKER });
    expect(Object.keys(td.actions)).toEqual(['model.stage', 'model.activate', 'model.rollback', 'model.status']);
    expect(new Set(forms(td).map((f) => f['mqv:topic'] ?? f['mqv:filter'] ?? f.href))).toEqual(
      new Set(['twinbed/v1/plant-a/gw-1/status', `${BASE}/api/devices/gw-1/shadow`, 'twinbed/v1/plant-a/gw-1/cmd', 'twinbed/v1/plant-a/gw-1/reply']),
    );
    expect(td.properties.status!.forms[0]).toMatchObject({ op: ['readproperty', 'observeproperty', 'unobserveproperty'], 'mqv:retain': true });
    expect(td.actions['model.status']).toMatchObject({ safe: true, idempotent: true });
  });

  it('gives a device that takes no commands no actions', () => {
    const env: RegistryEntry = { ...pump, id: 'env-1', sensors: ['ambient-temp', 'humidity'] };
    expect(thingDescription(env, undefined, { baseUrl: BASE, brokerUrl: BROKER }).actions).toEqual({});
  });

  it('describes only what HTTP reaches when it knows no broker', () => {
    const td = thingDescription(pump, pumpShadow, { baseUrl: BASE });
    expect(td.actions).toEqual({});
    expect(td.events).toEqual({});
    expect(forms(td).every((f) => f.href.startsWith(`${BASE}/api/devices/pump-1/`))).toBe(true);
    expect(Object.keys(td.properties)).toEqual(['accel', 'winding-temp', 'shadow']);
  });
});
