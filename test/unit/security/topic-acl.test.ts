import { describe, expect, it } from 'vitest';
import { mayPublish, maySubscribe, type AclOptions, type Principal } from '../../../gateway/security/topic-acl';

const A: Principal = { kind: 'device', id: 'pump-a' };
const internal: Principal = { kind: 'internal' };
const options: AclOptions = { site: 'plant-1', allowTruth: false };

describe('device topic ACL', () => {
  it.each([
    ['its own telemetry', 'twinbed/v1/plant-1/pump-a/telemetry/accel', true],
    ['its own event', 'twinbed/v1/plant-1/pump-a/event', true],
    ['its own status', 'twinbed/v1/plant-1/pump-a/status', true],
    ["B's telemetry (publishing as B)", 'twinbed/v1/plant-1/pump-b/telemetry/accel', false],
    ["B's status", 'twinbed/v1/plant-1/pump-b/status', false],
    ['its own telemetry at another site', 'twinbed/v1/plant-2/pump-a/telemetry/accel', false],
    ['features (the gateway computes them)', 'twinbed/v1/plant-1/pump-a/features/accel', false],
    ['the dead-letter topic', 'twinbed/v1/plant-1/deadletter', false],
    ['its own command topic', 'twinbed/v1/plant-1/pump-a/cmd', false],
    ['its ground truth, when truth is off', 'twinbed-truth/v1/plant-1/pump-a', false],
    ['an extra level under telemetry', 'twinbed/v1/plant-1/pump-a/telemetry/accel/x', false],
    ['a broker topic', '$SYS/broker/clients', false],
    ['a topic outside twinbed', 'factory/pump-a/telemetry', false],
  ])('device A publishing %s: allowed=%s', (_what, topic, allowed) => {
    expect(mayPublish(A, topic, options).allowed).toBe(allowed);
  });

  it.each([
    ['its own command topic', 'twinbed/v1/plant-1/pump-a/cmd', true],
    ["B's command topic", 'twinbed/v1/plant-1/pump-b/cmd', false],
    ['every command topic', 'twinbed/v1/plant-1/+/cmd', false],
    ['everything', '#', false],
    ['its own telemetry', 'twinbed/v1/plant-1/pump-a/telemetry/+', false],
    ['its own subtree', 'twinbed/v1/plant-1/pump-a/#', false],
    ['the dead-letter topic', 'twinbed/v1/plant-1/deadletter', false],
  ])('device A subscribing to %s: allowed=%s', (_what, filter, allowed) => {
    expect(maySubscribe(A, filter, options).allowed).toBe(allowed);
  });

  it('lets a twin publish its own ground truth, and no one else\'s, when truth is on', () => {
    const withTruth = { ...options, allowTruth: true };
    expect(mayPublish(A, 'twinbed-truth/v1/plant-1/pump-a', withTruth).allowed).toBe(true);
    expect(mayPublish(A, 'twinbed-truth/v1/plant-1/pump-b', withTruth).allowed).toBe(false);
  });

  it('explains a refusal with the topics the device may use', () => {
    expect(mayPublish(A, 'twinbed/v1/plant-1/pump-b/telemetry/accel', options)).toEqual({
      allowed: false,
      reason:
        'device pump-a may publish only twinbed/v1/plant-1/pump-a/telemetry/{sensor}, twinbed/v1/plant-1/pump-a/event and twinbed/v1/plant-1/pump-a/status, not twinbed/v1/plant-1/pump-b/telemetry/accel',
    });
    expect(maySubscribe(A, 'twinbed/v1/plant-1/pump-b/cmd', options)).toEqual({
      allowed: false,
      reason: 'device pump-a may subscribe only to twinbed/v1/plant-1/pump-a/cmd, not twinbed/v1/plant-1/pump-b/cmd',
    });
  });
});

describe('internal (gateway) clients', () => {
  it('subscribe to every device of their site and publish commands, but stay inside the site', () => {
    expect(maySubscribe(internal, 'twinbed/v1/plant-1/+/telemetry/+', options).allowed).toBe(true);
    expect(mayPublish(internal, 'twinbed/v1/plant-1/pump-a/cmd', options).allowed).toBe(true);
    expect(maySubscribe(internal, 'twinbed/v1/+/+/telemetry/+', options).allowed).toBe(false);
    expect(maySubscribe(internal, '#', options).allowed).toBe(false);
    expect(mayPublish(internal, '$SYS/x', options).allowed).toBe(false);
  });
});
