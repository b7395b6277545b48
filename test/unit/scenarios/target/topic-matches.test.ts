import { describe, expect, it } from 'vitest';
import { topicMatches } from '../../../../scenarios/target';

describe('topicMatches', () => {
  it('matches a filter without wildcards only to the same topic', () => {
    expect(topicMatches('a/b/c', 'a/b/c')).toBe(true);
    expect(topicMatches('a/b/c', 'a/b/c/d')).toBe(false);
    expect(topicMatches('a/b/c', 'a/b')).toBe(false);
    expect(topicMatches('a/b/c', 'a/B/c')).toBe(false);
  });

  it('matches + to exactly one level, an empty one included', () => {
    expect(topicMatches('plant/+/alarm', 'plant/pump-1/alarm')).toBe(true);
    expect(topicMatches('plant/+/alarm', 'plant//alarm')).toBe(true);
    expect(topicMatches('plant/+/alarm', 'plant/hall/pump-1/alarm')).toBe(false);
    expect(topicMatches('plant/+', 'plant')).toBe(false);
    expect(topicMatches('+/+', 'a/b')).toBe(true);
    expect(topicMatches('+', 'a/b')).toBe(false);
  });

  it('matches # to the parent level and everything below it', () => {
    expect(topicMatches('plant/#', 'plant')).toBe(true);
    expect(topicMatches('plant/#', 'plant/a')).toBe(true);
    expect(topicMatches('plant/#', 'plant/a/b/c')).toBe(true);
    expect(topicMatches('plant/#', 'plants/a')).toBe(false);
    expect(topicMatches('plant/+/alarms/#', 'plant/x/alarms/vib/high')).toBe(true);
    expect(topicMatches('plant/+/alarms/#', 'plant/x/events/vib')).toBe(false);
    expect(topicMatches('#', 'any/topic/at/all')).toBe(true);
  });

  it('does not match topics starting with $ by a wildcard in the first level ([MQTT-4.7.2-1])', () => {
    expect(topicMatches('#', '$SYS/broker/uptime')).toBe(false);
    expect(topicMatches('+/broker/uptime', '$SYS/broker/uptime')).toBe(false);
    expect(topicMatches('$SYS/#', '$SYS/broker/uptime')).toBe(true);
    expect(topicMatches('$SYS/+/uptime', '$SYS/broker/uptime')).toBe(true);
    // A $ below the first level is an ordinary character.
    expect(topicMatches('a/+', 'a/$b')).toBe(true);
  });
});
