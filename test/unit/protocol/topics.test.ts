import { describe, expect, it } from 'vitest';
import { filters, IdSchema, parseTopic, TOPIC_ROOT, topics } from '../../../protocol/index';

/** MQTT topic matching: `+` matches one level, a trailing `#` matches the rest. [MQTT-4.7.1] */
function matchesFilter(filter: string, topic: string): boolean {
  const f = filter.split('/');
  const t = topic.split('/');
  for (let i = 0; i < f.length; i++) {
    if (f[i] === '#') return true;
    if (i >= t.length || (f[i] !== '+' && f[i] !== t[i])) return false;
  }
  return f.length === t.length;
}

describe('topic builders', () => {
  it('lay out every topic under twinbed/v1/<site>/<device>', () => {
    expect(TOPIC_ROOT).toBe('twinbed/v1');
    expect(topics.telemetry('site-a', 'pump-1', 'accel.x')).toBe('twinbed/v1/site-a/pump-1/telemetry/accel.x');
    expect(topics.features('site-a', 'pump-1', 'accel.x')).toBe('twinbed/v1/site-a/pump-1/features/accel.x');
    expect(topics.event('site-a', 'pump-1')).toBe('twinbed/v1/site-a/pump-1/event');
    expect(topics.status('site-a', 'pump-1')).toBe('twinbed/v1/site-a/pump-1/status');
    expect(topics.cmd('site-a', 'pump-1')).toBe('twinbed/v1/site-a/pump-1/cmd');
    expect(topics.reply('site-a', 'gw-1')).toBe('twinbed/v1/site-a/gw-1/reply');
    expect(topics.deadLetter('site-a')).toBe('twinbed/v1/site-a/deadletter');
  });
});

describe('parseTopic', () => {
  it.each([
    ['telemetry', topics.telemetry('site-a', 'pump-1', 'accel.x'), { kind: 'telemetry', site: 'site-a', device: 'pump-1', sensor: 'accel.x' }],
    ['features', topics.features('s1', 'd_2', 'temp'), { kind: 'features', site: 's1', device: 'd_2', sensor: 'temp' }],
    ['event', topics.event('s1', 'd2'), { kind: 'event', site: 's1', device: 'd2' }],
    ['status', topics.status('s1', 'd2'), { kind: 'status', site: 's1', device: 'd2' }],
    ['cmd', topics.cmd('s1', 'd2'), { kind: 'cmd', site: 's1', device: 'd2' }],
    ['reply', topics.reply('s1', 'gw-1'), { kind: 'reply', site: 's1', device: 'gw-1' }],
    ['deadletter', topics.deadLetter('s1'), { kind: 'deadletter', site: 's1' }],
  ])('recovers site, device and sensor from a built %s topic', (_kind, topic, expected) => {
    expect(parseTopic(topic)).toEqual(expected);
  });

  it('tells a device named "deadletter" apart from the site dead-letter topic', () => {
    expect(parseTopic(topics.event('s1', 'deadletter'))).toEqual({ kind: 'event', site: 's1', device: 'deadletter' });
    expect(parseTopic(topics.telemetry('s1', 'deadletter', 'x'))).toEqual({ kind: 'telemetry', site: 's1', device: 'deadletter', sensor: 'x' });
    expect(parseTopic(topics.deadLetter('s1'))).toEqual({ kind: 'deadletter', site: 's1' });
  });

  it.each([
    ['another application', 'factory/v1/s1/d1/event'],
    ['another scheme version', 'twinbed/v2/s1/d1/event'],
    ['a case variant of the root', 'Twinbed/v1/s1/d1/event'],
    ['the bare root', 'twinbed/v1'],
    ['a site only', 'twinbed/v1/s1'],
    ['an empty topic', ''],
    ['an empty site level', 'twinbed/v1//d1/event'],
    ['an empty device level', 'twinbed/v1/s1//event'],
    ['an unknown kind', 'twinbed/v1/s1/d1/logs'],
    ['telemetry without a sensor', 'twinbed/v1/s1/d1/telemetry'],
    ['telemetry with an empty sensor', 'twinbed/v1/s1/d1/telemetry/'],
    ['telemetry with an extra level', 'twinbed/v1/s1/d1/telemetry/accel/x'],
    ['an event with a sensor level', 'twinbed/v1/s1/d1/event/accel'],
    ['a status with a trailing slash', 'twinbed/v1/s1/d1/status/'],
    ['a dead-letter topic with an extra level', 'twinbed/v1/s1/deadletter/x'],
    ['a leading slash', '/twinbed/v1/s1/d1/event'],
  ])('returns undefined for %s', (_case, topic) => {
    expect(parseTopic(topic)).toBeUndefined();
  });
});

describe('subscription filters', () => {
  it('match every built topic of their kind, on any site by default', () => {
    const built = {
      telemetry: topics.telemetry('site-a', 'pump-1', 'accel.x'),
      features: topics.features('site-b', 'fan-2', 'temp'),
      event: topics.event('site-a', 'pump-1'),
      status: topics.status('site-c', 'gw'),
      deadLetter: topics.deadLetter('site-a'),
    };
    for (const [kind, topic] of Object.entries(built)) {
      for (const [filterKind, filter] of Object.entries(filters)) {
        expect(matchesFilter(filter(), topic), `${filterKind} filter vs ${kind} topic`).toBe(filterKind === kind);
      }
    }
  });

  it('restricted to a site, match only that site', () => {
    expect(filters.telemetry('site-a')).toBe('twinbed/v1/site-a/+/telemetry/+');
    expect(matchesFilter(filters.telemetry('site-a'), topics.telemetry('site-a', 'p', 's'))).toBe(true);
    expect(matchesFilter(filters.telemetry('site-a'), topics.telemetry('site-b', 'p', 's'))).toBe(false);
    expect(matchesFilter(filters.status('site-a'), topics.status('site-b', 'p'))).toBe(false);
    expect(matchesFilter(filters.deadLetter('site-a'), topics.deadLetter('site-a'))).toBe(true);
  });

  it('match a command topic only through the cmd filter, which gateways use to carry commands to their devices', () => {
    const cmd = topics.cmd('site-a', 'pump-1');
    expect(Object.entries(filters).filter(([, filter]) => matchesFilter(filter(), cmd)).map(([name]) => name)).toEqual(['cmd']);
    expect(matchesFilter(filters.cmd('site-b'), cmd)).toBe(false);
  });
});

describe('IdSchema (site, device and sensor names)', () => {
  it.each(['a', 'pump-1', 'accel.x', 'gw_01', 'X9', '0', 'a'.repeat(64)])('accepts %j', (id) => {
    expect(IdSchema.safeParse(id).success).toBe(true);
  });

  it.each([
    ['empty', ''],
    ['65 characters', 'a'.repeat(65)],
    ['a topic separator', 'pump/1'],
    ['a single-level wildcard', 'pump+1'],
    ['a multi-level wildcard', '#'],
    ['a leading $ (broker-reserved topics)', '$SYS'],
    ['a leading dash', '-pump'],
    ['a leading dot', '.hidden'],
    ['a space', 'pump 1'],
    ['a non-ASCII letter', 'pümp'],
  ])('rejects %s', (_case, id) => {
    const result = IdSchema.safeParse(id);
    expect(result.success).toBe(false);
  });

  it('says which characters are allowed', () => {
    const result = IdSchema.safeParse('pump/1');
    expect(result.error?.issues[0]?.message).toBe('use 1–64 letters, digits, ".", "_" or "-", starting with a letter or digit');
  });
});
