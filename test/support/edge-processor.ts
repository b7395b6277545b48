import pino from 'pino';
import { EdgeProcessor, nodeGzip, type EdgeProcessorOptions } from '../../gateway';
import { VirtualClock } from '../../sim';

/** An EdgeProcessor for tests: no rules or actions, a virtual clock at `startMs`, silent, dead letters ignored; `options` override. */
export function testEdgeProcessor(options: Partial<EdgeProcessorOptions> & Pick<EdgeProcessorOptions, 'site' | 'pipelines'>, startMs = 0): EdgeProcessor {
  return new EdgeProcessor({
    gateway: 'gw-1',
    rules: [],
    actions: [],
    clock: new VirtualClock(startMs),
    wallMs: () => performance.now(),
    gzip: nodeGzip,
    log: pino({ level: 'silent' }),
    onDeadLetter: () => {},
    ...options,
  });
}
