import { readFile } from 'node:fs/promises';
import { createServer, type Server } from 'node:http';
import express from 'express';
import type { Logger } from 'pino';
import { listen, type Clock } from '../sim';
import { cloudApi } from './api';
import { Cloud } from './cloud';
import type { CloudConfig } from './config';
import { ModelSigner } from './models';
import { openStorage } from './storage/index';

/** A cloud process's parts: the pipeline, its store and its REST API. */
export interface CloudService {
  cloud: Cloud;
  /** `http://host:port` of the REST API, when `http` is configured. */
  apiUrl?: string;
  stop(): Promise<void>;
}

/** Starts the cloud as `twinbed cloud --config` runs it: store, pipeline, REST API. */
export async function startCloudService(config: CloudConfig, options: { clock: Clock; logger: Logger }): Promise<CloudService> {
  const storage = await openStorage(config.storage);
  let cloud: Cloud | undefined;
  let server: Server | undefined;
  try {
    const signer = config.models ? ModelSigner.fromPem(await readFile(config.models.signingKey, 'utf8'), config.models.keyId) : undefined;
    cloud = await Cloud.start({
      brokerUrl: config.broker.url,
      clientId: config.broker.clientId,
      ...(config.broker.shareGroup ? { shareGroup: config.broker.shareGroup } : {}),
      ...(config.broker.site ? { site: config.broker.site } : {}),
      storage,
      rules: config.rules,
      clock: options.clock,
      ...(signer ? { signer } : {}),
      ...(config.drift ? { drift: config.drift } : {}),
      ...(config.retention ? { retention: config.retention } : {}),
      logger: options.logger,
    });
    let apiUrl: string | undefined;
    if (config.http) {
      const app = express();
      app.disable('x-powered-by');
      app.use(cloudApi(cloud, { registry: cloud.registry, clock: options.clock, brokerUrl: config.broker.url }));
      server = createServer(app);
      const where = await listen(server, config.http.port, config.http.host);
      apiUrl = `http://${where.urlHost}:${where.port}`;
    }
    const running = cloud;
    const http = server;
    return {
      cloud: running,
      ...(apiUrl ? { apiUrl } : {}),
      stop: async () => {
        if (http) {
          http.closeAllConnections();
          await new Promise<void>((resolve) => http.close(() => resolve()));
        }
        await running.stop();
        await storage.close();
      },
    };
  } catch (error) {
    server?.close();
    await cloud?.stop();
    await storage.close();
    throw error;
  }
}
