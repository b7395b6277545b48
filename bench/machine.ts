import os from 'node:os';

/** One line describing the machine a benchmark ran on, printed with every result. */
export function machineLine(): string {
  const cpu = os.cpus()[0]?.model.trim() ?? 'unknown CPU';
  return `${os.cpus().length} × ${cpu}, ${Math.round(os.totalmem() / 2 ** 30)} GiB, Node ${process.version}, ${os.platform()} ${os.release()}`;
}

/** The p-th percentile of sorted values, by the rule the gateway and the link histogram report with. */
export { nearestRankPercentile as percentile } from '../sim';
