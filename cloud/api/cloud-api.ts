import { Router } from 'express';
import { z } from 'zod';
import { IdSchema } from '../../protocol';
import type { Clock } from '../../sim';
import type { Cloud } from '../cloud';
import { exportParquet } from '../storage';
import { ALERT_ERROR_STATUS, alertRoutes, type AlertApiModel } from './alert-routes';
import { dataRoutes, type DataApiModel } from './data-routes';
import { NotFoundError } from './errors';
import { MODEL_ERROR_STATUS, modelRoutes, type ModelApiModel } from './model-routes';
import { openApiDocument, type OpenApiDocument, type OpenApiInfo } from './openapi';
import { opsRoutes, type OpsApiModel } from './ops-routes';
import { REGISTRY_ERROR_STATUS, registryRoutes, type RegistryApiOptions } from './registry-routes';
import { rolloutRoutes } from './rollout-routes';
import { defineRoute, mountRoutes, type MountOptions, type Route } from './route';
import { AlertRecordSchema, CloudStatsSchema, DeviceSummarySchema, FeatureRecordSchema, LatestReadingsSchema, OpenApiDocumentSchema } from './schemas';

/** What the reading routes (devices, latest, series, alerts, stats) read from the cloud. */
export interface CloudReadModel {
  storage: Pick<Cloud['storage'], 'devices' | 'latest' | 'series' | 'alerts' | 'counts'>;
  stats(): ReturnType<Cloud['stats']>;
}

/** Everything the REST API reads from and asks of the cloud, as narrow ports; cloudModelOf makes one of a Cloud. */
export type CloudApiModel = CloudReadModel &
  AlertApiModel &
  DataApiModel &
  OpsApiModel &
  ModelApiModel & { storage: CloudReadModel['storage'] & AlertApiModel['storage'] & DataApiModel['storage'] & OpsApiModel['storage'] };

/**
 * Without a registry the API serves what storage holds and the cloud's actions; with one, also the registry, shadows
 * and Thing Descriptions. `clock` stamps the API's rollout changes (resume, cancel).
 */
export type CloudApiOptions = { registry?: undefined; clock?: Pick<Clock, 'now'> } | RegistryApiOptions;

export const CLOUD_API_INFO: OpenApiInfo = {
  title: 'twinbed cloud API',
  version: '1.1.0',
  description:
    'Readings, raw blocks, rollups and exports the cloud stored; alerts with their lifecycle; commands and their audit log; the model registry and staged rollouts; and the device registry with shadows and W3C WoT Thing Descriptions.',
};

/** How the cloud's routes are served: each module's typed errors get their statuses. */
export const CLOUD_MOUNT_OPTIONS: MountOptions = { statusByCode: { ...REGISTRY_ERROR_STATUS, ...ALERT_ERROR_STATUS, ...MODEL_ERROR_STATUS } };

const DeviceParams = z.object({ device: IdSchema.describe('Device or gateway id.') });
const EventTimeQuery = z.coerce.number().finite().optional();

/** The cloud's REST API: every route of cloudRoutes, on one router. */
export function cloudApi(cloud: Cloud, options: CloudApiOptions = {}): Router {
  return mountRoutes(Router(), cloudRoutes(cloudModelOf(cloud, options.clock), options), CLOUD_MOUNT_OPTIONS);
}

/** The API's view of a Cloud; people's actions (rollout resume, cancel) are stamped by the cloud's own event-time clock unless `clock` says otherwise. */
export function cloudModelOf(cloud: Cloud, clock: Pick<Clock, 'now'> = cloud.clock): CloudApiModel {
  return {
    storage: cloud.storage,
    stats: () => cloud.stats(),
    acknowledge: (id, by, note) => cloud.acknowledge(id, by, note),
    shelve: (id, by, untilMs, note) => cloud.shelve(id, by, untilMs, note),
    unshelve: (id, by) => cloud.unshelve(id, by),
    exportParquet: (query, file) => exportParquet(cloud.storage, query, file),
    registry: cloud.registry,
    commands: cloud.commands,
    get models() {
      return cloud.models;
    },
    now: () => clock.now(),
  };
}

/**
 * Every route of the cloud's REST API: readings, alerts and their lifecycle, commands and audit, models and rollouts,
 * the registry when given one, and GET /api/openapi.json (which documents them all) last.
 */
export function cloudRoutes(cloud: CloudApiModel, options: CloudApiOptions = {}): Route[] {
  const routes = [
    ...storageRoutes(cloud),
    ...dataRoutes(cloud),
    ...alertRoutes(cloud),
    ...opsRoutes(cloud),
    ...modelRoutes(cloud),
    ...rolloutRoutes(cloud),
    ...(options.registry ? registryRoutes(options) : []),
  ];
  let document: OpenApiDocument | undefined;
  routes.push(
    defineRoute({
      method: 'get',
      path: '/api/openapi.json',
      summary: 'The OpenAPI 3.1 document of this API',
      tags: ['meta'],
      response: OpenApiDocumentSchema,
      // Built on first request, when `routes` is complete; the routes never change after.
      handler: () => (document ??= openApiDocument(routes, CLOUD_API_INFO)),
    }),
  );
  return routes;
}

function storageRoutes(cloud: CloudReadModel): Route[] {
  const { storage } = cloud;
  return [
    defineRoute({
      method: 'get',
      path: '/api/devices',
      summary: 'Devices with stored readings',
      tags: ['readings'],
      response: z.array(DeviceSummarySchema),
      handler: () => storage.devices(),
    }),
    defineRoute({
      method: 'get',
      path: '/api/devices/{device}/latest',
      summary: 'The latest window of each sensor of a device',
      tags: ['readings'],
      params: DeviceParams,
      response: LatestReadingsSchema,
      errors: { 404: 'No readings stored for the device.' },
      handler: async ({ params }) => {
        const latest = await storage.latest(params.device);
        if (latest.length === 0) throw new NotFoundError(`no readings stored for device "${params.device}"`);
        return { device: params.device, sensors: Object.fromEntries(latest.map((record) => [record.sensor, record])) };
      },
    }),
    defineRoute({
      method: 'get',
      path: '/api/devices/{device}/latest/{sensor}',
      summary: 'The latest window of one sensor',
      description: 'The readproperty form of the sensor property in the device Thing Description.',
      tags: ['readings'],
      params: DeviceParams.extend({ sensor: IdSchema.describe('Sensor name.') }),
      response: FeatureRecordSchema,
      errors: { 404: 'No readings stored for the sensor.' },
      handler: async ({ params }) => {
        const record = (await storage.latest(params.device)).find((r) => r.sensor === params.sensor);
        if (!record) throw new NotFoundError(`no readings stored for ${params.device}/${params.sensor}; GET /api/devices/${params.device}/latest lists its sensors`);
        return record;
      },
    }),
    defineRoute({
      method: 'get',
      path: '/api/series',
      summary: 'Windows of one sensor by event-time range, oldest first',
      tags: ['readings'],
      query: z.object({
        device: IdSchema.describe('Device id.'),
        sensor: IdSchema.describe('Sensor name.'),
        from: EventTimeQuery.describe('Earliest event time, inclusive, ms since the Unix epoch.'),
        to: EventTimeQuery.describe('Latest event time, inclusive, ms since the Unix epoch.'),
        limit: z.coerce.number().int().min(1).max(100_000).optional().describe('At most this many windows, the latest ones. Default 1000.'),
      }),
      response: z.array(FeatureRecordSchema),
      handler: ({ query }) =>
        storage.series({ device: query.device, sensor: query.sensor, fromMs: query.from, toMs: query.to, limit: query.limit }),
    }),
    defineRoute({
      method: 'get',
      path: '/api/alerts',
      summary: 'Alerts and anomalies, raised and cleared',
      tags: ['alerts'],
      query: z.object({
        device: IdSchema.optional().describe('Only this device.'),
        from: EventTimeQuery.describe('Earliest event time, inclusive, ms since the Unix epoch.'),
        to: EventTimeQuery.describe('Latest event time, inclusive, ms since the Unix epoch.'),
      }),
      response: z.array(AlertRecordSchema),
      handler: ({ query }) => storage.alerts({ device: query.device, fromMs: query.from, toMs: query.to }),
    }),
    defineRoute({
      method: 'get',
      path: '/api/stats',
      summary: 'Cloud pipeline counters and what storage holds',
      tags: ['meta'],
      response: CloudStatsSchema,
      handler: async () => ({ ...cloud.stats(), storage: { ...(await storage.counts()) } }),
    }),
  ];
}
