import { generateDataset, loadScenario, type DatasetFormat } from '../scenarios';
import { monotonicWallMs } from '../sim';

/** `twinbed generate`: labelled sensor files for ML, with a progress bar on stderr. */
export async function runGenerate(file: string, options: { out: string; format: DatasetFormat; seed?: string | number }): Promise<void> {
  const scenario = await loadScenario(file);
  const started = monotonicWallMs();
  const bar = progressBar(process.stderr);
  const result = await generateDataset(scenario, {
    outDir: options.out,
    format: options.format,
    seed: options.seed,
    onProgress: (doneS, totalS) => bar(doneS / totalS, `${doneS.toFixed(0)}/${totalS} s simulated`),
  });
  bar(1, 'done', true);
  const rows = result.files.reduce((n, f) => n + f.rows, 0);
  const wallS = (monotonicWallMs() - started) / 1000;
  process.stdout.write(
    `twinbed generate: ${result.files.length} files, ${rows.toLocaleString('en')} labelled samples of ${scenario.durationS} s simulated ` +
      `in ${wallS.toFixed(1)} s → ${options.out} (${options.format}, manifest.json lists files and fault changes)\n`,
  );
}

/** A one-line progress bar: redrawn in place on a terminal, a line per 10% otherwise (CI logs). */
function progressBar(stream: NodeJS.WriteStream): (fraction: number, label: string, final?: boolean) => void {
  let lastDecile = -1;
  let lastDrawMs = 0;
  return (fraction, label, final = false) => {
    const percent = Math.floor(fraction * 100);
    if (stream.isTTY) {
      const now = monotonicWallMs();
      if (!final && now - lastDrawMs < 100) return;
      lastDrawMs = now;
      const width = 30;
      const filled = Math.round(fraction * width);
      stream.write(`\r  [${'#'.repeat(filled)}${'.'.repeat(width - filled)}] ${String(percent).padStart(3)}% ${label}   ${final ? '\n' : ''}`);
      return;
    }
    const decile = Math.floor(percent / 10);
    if (decile > lastDecile && !final) {
      lastDecile = decile;
      stream.write(`  ${percent}% ${label}\n`);
    }
  };
}
