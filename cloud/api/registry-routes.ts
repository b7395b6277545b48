import { z } from 'zod';
import { IdSchema } from '../../protocol';
import type { Clock } from '../../sim';
import { thingDescription, UnknownDeviceError, type DeviceRegistry } from '../registry';
import { defineRoute, type Route } from './route';
import { DesiredPatchSchema, DesiredUpdateSchema, RegistryEntrySchema, ShadowSchema, ThingDescriptionSchema } from './schemas';

export interface RegistryApiOptions {
  registry: DeviceRegistry;
  /** Event time of desired-state changes made over the API. */
  clock: Pick<Clock, 'now'>;
  /** The cloud's broker, for the MQTT forms of Thing Descriptions. Unset: TDs list only what HTTP reaches. */
  brokerUrl?: string;
  /** Origin the TDs' HTTP forms point at, e.g. `https://twinbed.example`. Default: the origin each request came in on. */
  baseUrl?: string;
}

/** HTTP status of the registry's typed errors. */
export const REGISTRY_ERROR_STATUS: Readonly<Record<string, number>> = { E_UNKNOWN_DEVICE: 404, E_SHADOW_CONFLICT: 409, E_SHADOW_PATCH: 400 };

/** Who changes desired state over the API: it takes no credentials, so no user is known. */
const API_ACTOR = 'api:anonymous';

const DeviceParams = z.object({ device: IdSchema.describe('Device or gateway id.') });
const UNKNOWN = 'The registry has never heard from this device or gateway.';

export function registryRoutes(options: RegistryApiOptions): Route[] {
  const { registry } = options;
  return [
    defineRoute({
      method: 'get',
      path: '/api/registry',
      summary: 'Every device and gateway the cloud has heard of',
      tags: ['registry'],
      response: z.array(RegistryEntrySchema),
      handler: () => registry.entries(),
    }),
    defineRoute({
      method: 'get',
      path: '/api/devices/{device}/shadow',
      summary: 'Reported and desired state of a device or gateway, with the delta',
      tags: ['registry'],
      params: DeviceParams,
      response: ShadowSchema,
      errors: { 404: UNKNOWN },
      handler: async ({ params }) => {
        const shadow = await registry.shadow(params.device);
        if (!shadow) throw new UnknownDeviceError(params.device);
        return shadow;
      },
    }),
    defineRoute({
      method: 'patch',
      path: '/api/devices/{device}/shadow/desired',
      summary: 'Change the desired state and send it to the device',
      description: 'Merges the patch (null deletes a key), bumps the version and sends shadow.desired; speedRpm on a pump or fan also sends slow-down or resume.',
      tags: ['registry'],
      params: DeviceParams,
      body: DesiredPatchSchema,
      response: DesiredUpdateSchema,
      errors: { 404: UNKNOWN, 409: 'The version sent is no longer current: read the shadow again and re-apply the change.' },
      handler: ({ params, body }) => registry.setDesired(params.device, body.desired, API_ACTOR, options.clock.now(), body.version),
    }),
    defineRoute({
      method: 'get',
      path: '/api/devices/{device}/td',
      summary: 'The W3C WoT Thing Description of a device or gateway',
      tags: ['registry'],
      params: DeviceParams,
      response: ThingDescriptionSchema,
      contentType: 'application/td+json',
      errors: { 404: UNKNOWN },
      handler: async ({ params, origin }) => {
        const entry = await registry.entry(params.device);
        if (!entry) throw new UnknownDeviceError(params.device);
        const baseUrl = options.baseUrl ?? origin;
        return thingDescription(entry, await registry.shadow(params.device), { baseUrl, ...(options.brokerUrl ? { brokerUrl: options.brokerUrl } : {}) });
      },
    }),
  ];
}
