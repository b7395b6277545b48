// `npm run soak [-- --minutes N] [--time-scale X] [--json FILE]`: the soak on the embedded stack, printing the curve
// as it goes and the growth table at the end. Exit 0 when every judged measure grew by less than GROWTH_LIMIT after
// warm-up and every acknowledged reading was stored once; 1 otherwise; 2 on bad arguments; 130 when stopped by SIGTERM.
import { writeFile } from 'node:fs/promises';
import { parseArgs } from 'node:util';
import { runSoak, warmupMinutes } from './run-soak';
import { CURVE_HEADER, formatGrowth, formatSample, GROWTH_LIMIT, printed } from './soak-report';
import { soakVerdict } from './soak-verdict';

const usage = 'usage: npm run soak -- [--minutes N (simulated; env SOAK_MINUTES; default 60)] [--time-scale X (default 60)] [--json FILE]';

async function main(): Promise<number> {
  let parsed;
  try {
    parsed = parseArgs({ options: { minutes: { type: 'string' }, 'time-scale': { type: 'string' }, json: { type: 'string' } } });
  } catch (error) {
    console.error(`${(error as Error).message}\n${usage}`);
    return 2;
  }
  const minutes = Number(parsed.values.minutes ?? process.env.SOAK_MINUTES ?? 60);
  const timeScale = Number(parsed.values['time-scale'] ?? 60);
  if (!(minutes > 0) || !(timeScale > 0)) {
    console.error(`--minutes and --time-scale must be numbers > 0\n${usage}`);
    return 2;
  }
  if (!(globalThis as { gc?: unknown }).gc) console.warn('soak: run with node --expose-gc (npm run soak does) to sample the heap after a full collection');

  let warmupMin: number;
  try {
    warmupMin = warmupMinutes(minutes);
  } catch (error) {
    console.error(`${(error as Error).message}\n${usage}`);
    return 2;
  }
  // A sample every simulated minute; the curve prints at most about 60 of them (every k-th, and the baseline).
  const every = Math.max(1, Math.round(minutes / 60));
  console.log(
    `soak: ${minutes} simulated minutes at ×${timeScale} (about ${Math.round((minutes * 60) / timeScale)} s of wall time after setup); baseline (*) at ${warmupMin} min, ` +
      `maxima over the last quarter (>); a sample every simulated minute${every > 1 ? `, every ${every}th printed` : ''}`,
  );
  console.log(CURVE_HEADER);
  let i = 0;
  // SIGTERM (the CI run ending first, or a user) stops the soak cleanly: its stack stopped, its temp stores deleted.
  const stop = new AbortController();
  process.once('SIGTERM', () => stop.abort(new Error('soak: stopped by SIGTERM')));
  let result;
  try {
    result = await runSoak({
      simMinutes: minutes,
      timeScale,
      signal: stop.signal,
      onSample: (sample) => {
        if (printed(i++, sample, warmupMin, minutes, 1, every)) console.log(formatSample(sample, warmupMin, minutes, 1));
      },
    });
  } catch (error) {
    if (!stop.signal.aborted) throw error;
    console.error((error as Error).message);
    return 130;
  }
  console.log(formatGrowth(result.growth, GROWTH_LIMIT));
  const verdict = soakVerdict(result);
  console.log(verdict.summary);
  for (const problem of verdict.problems) console.log(`  FAIL ${problem}`);
  if (parsed.values.json) await writeFile(parsed.values.json, `${JSON.stringify(result, null, 2)}\n`);
  return verdict.problems.length === 0 ? 0 : 1;
}

// An exit code, not process.exit: the run has stopped everything it started, so the process ends by itself.
process.exitCode = await main();
