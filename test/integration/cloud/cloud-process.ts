import { writeFile } from 'node:fs/promises';
import { join } from 'node:path';
import { spawnTwinbed, type TwinbedProcess } from '../../support/twinbed-process';

export interface CloudProcessConfig {
  brokerUrl: string;
  clientId: string;
  /** `sqlite:PATH` or a `postgres://` URL. */
  storage: string;
  shareGroup?: string;
  /** YAML lines of the `rules:` list, each starting with `- `. */
  rules?: readonly string[];
}

export interface CloudProcess {
  process: TwinbedProcess;
  /** `http://127.0.0.1:<port>` of its REST API. */
  apiUrl: string;
  get<T>(path: string): Promise<T>;
  /** SIGKILL: no DISCONNECT, nothing flushed, as a crash or the OOM killer leaves it. */
  kill(): Promise<void>;
}

/** Writes `DIR/<clientId>.yaml` and starts `twinbed cloud --config` on it; resolves once it prints `cloud ready`. */
export async function startCloudProcess(dir: string, config: CloudProcessConfig): Promise<CloudProcess> {
  const file = join(dir, `${config.clientId}.yaml`);
  await writeFile(
    file,
    [
      'broker:',
      `  url: ${config.brokerUrl}`,
      `  clientId: ${config.clientId}`,
      ...(config.shareGroup ? [`  shareGroup: ${config.shareGroup}`] : []),
      `storage: ${config.storage}`,
      'http:',
      '  port: 0',
      ...(config.rules?.length ? ['rules:', ...config.rules.map((r) => `  ${r}`)] : []),
      '',
    ].join('\n'),
  );
  const child = spawnTwinbed(['cloud', '--config', file], { env: { TWINBED_LOG: 'info' } });
  const ready = await child.waitFor(/^.*"msg":"cloud ready".*$/m, 30_000);
  const { apiUrl } = JSON.parse(ready[0]) as { apiUrl: string };
  return {
    process: child,
    apiUrl,
    get: async <T>(path: string) => {
      const response = await fetch(`${apiUrl}${path}`);
      if (!response.ok) throw new Error(`GET ${path}: ${response.status} ${await response.text()}`);
      return (await response.json()) as T;
    },
    kill: async () => {
      process.kill(child.child.pid!, 'SIGKILL');
      await child.exited;
    },
  };
}
