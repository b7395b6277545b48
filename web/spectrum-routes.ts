import express, { type Router } from 'express';
import { z } from 'zod';
import type { RegistryEntry, Storage } from '../cloud';
import { IdSchema } from '../protocol';
import { monotonicWallMs, type Clock } from '../sim';
import type { SiteLayout, SiteMachine } from './client/site';
import { defectMarkers, type SpectrumAnswer, type SpectrumReady } from './client/spectrum-answer';
import { newestRawRun, type RawRun } from './spectrum-blocks';
import { reduceSpectrum, spectraOf } from './spectrum';

/** Event time a raw block stays the "latest" one, ms: older than this, the panel waits for fresh data. */
export const RECENT_MS = 30_000;
/** Event time after which a live stack asks for newer raw data while still showing what it has, ms. */
export const REFRESH_MS = 10_000;
/** At most one `raw.request` per device sensor this often, wall-clock ms, however many pages poll. */
export const REQUEST_EVERY_MS = 10_000;
/** Seconds of raw data a request asks for, after the gateway's ring of the seconds before. */
export const REQUEST_SECONDS = 2;
/** Points per chart at most. */
export const MAX_POINTS = 1024;

/** What the route reads and sends; a Cloud is one. */
export interface SpectrumModel {
  storage: Pick<Storage, 'rawPage' | 'series'>;
  registry: { entry(id: string): Promise<RegistryEntry | undefined> };
  commands: { send(order: { site: string; target: string; action: string; args?: Record<string, unknown>; actor: string; reason: string }): Promise<string> };
  clock: Clock;
}

export interface SpectrumRouteOptions {
  /** The hall: each machine's sensors, bearing orders, resonance and nominal speed. */
  site?: SiteLayout | undefined;
  /** Ask a device's gateway for raw data when none is recent: a live stack (never a replay). */
  requestRaw: boolean;
  /** Wall clock of the request limit, ms; injected by tests. Default monotonicWallMs. */
  wallMs?: () => number;
}

const SpectrumQuery = z
  .object({
    device: IdSchema.describe('Device id.'),
    sensor: IdSchema.describe('Sensor name.'),
    at: z.coerce.number().finite().optional().describe('Latest event time to look at, ms since the Unix epoch (a replay\'s instant). Default: the cloud\'s now.'),
  })
  .strict();

/**
 * GET /api/spectrum?device=&sensor=[&at=]: the amplitude and envelope spectra of the newest raw waveform of a sensor
 * (within RECENT_MS before `at`), for the machine panel. Without one, a live stack asks the device's gateway for a few
 * seconds of raw data (`raw.request`, at most once per REQUEST_EVERY_MS per sensor) and answers `pending`; with one
 * older than REFRESH_MS it answers that one and asks for newer data the same way, so an open panel keeps up (a
 * bearing fault injected a minute after the last event shows in the envelope within seconds, not at the next event).
 */
export function spectrumRoutes(cloud: SpectrumModel, options: SpectrumRouteOptions): Router {
  const router = express.Router();
  const wallMs = options.wallMs ?? monotonicWallMs;
  /** Wall time of the last request per `device/sensor`. */
  const requested = new Map<string, number>();

  router.get('/api/spectrum', async (req, res) => {
    const parsed = SpectrumQuery.safeParse(req.query);
    if (!parsed.success) {
      const issue = parsed.error.issues[0]!;
      res.status(400).json({ error: `${issue.path.join('.') || 'query'}: ${issue.message}` });
      return;
    }
    const { device, sensor, at } = parsed.data;
    try {
      const machine = options.site?.machines.find((m) => m.device === device);
      const entry = await cloud.registry.entry(device);
      if (!machine && entry?.kind !== 'device') {
        res.status(404).json({ error: `no device "${device}" in the hall or the registry; GET /api/registry lists the known ones` });
        return;
      }
      const sensors = [...new Set([...(machine?.sensors ?? []), ...(entry?.sensors ?? [])])].sort();
      if (!sensors.includes(sensor)) {
        res.status(404).json({ error: `device "${device}" has no sensor "${sensor}"; its sensors: ${sensors.join(', ') || 'none yet'}` });
        return;
      }
      const atMs = at ?? cloud.clock.now();
      const run = await newestRawRun(cloud.storage, device, sensor, atMs - RECENT_MS, atMs);
      // Only the present can be asked for: a past instant (a replay's) shows what was stored.
      const live = options.requestRaw && at === undefined;
      let answer: SpectrumAnswer;
      if (run) {
        const refresh = live && run.tsMs < atMs - REFRESH_MS ? await request(device, sensor, entry, `its newest raw block is over ${REFRESH_MS / 1000} s old`) : undefined;
        answer = { ...(await analyse(cloud, device, sensor, run, machine)), ...(refresh?.pending && refresh.requestId ? { requestId: refresh.requestId } : {}) };
      } else if (live) answer = await request(device, sensor, entry, `no raw block is newer than ${RECENT_MS / 1000} s`);
      else answer = { pending: false, found: false, message: `no raw block of ${device}/${sensor} in the ${RECENT_MS / 1000} s before ${new Date(atMs).toISOString()}` };
      res.json(answer);
    } catch (error) {
      res.status(500).json({ error: `spectrum of ${device}/${sensor}: ${(error as Error).message}` });
    }
  });

  async function request(device: string, sensor: string, entry: RegistryEntry | undefined, why: string): Promise<SpectrumAnswer> {
    const gateway = entry?.gateway;
    if (!entry || !gateway) return { pending: false, found: false, message: `no raw block of ${device}/${sensor}, and no gateway known to ask for one (the registry has not heard from ${device} through a gateway)` };
    const key = `${device}/${sensor}`;
    const now = wallMs();
    const last = requested.get(key);
    if (last !== undefined && now - last < REQUEST_EVERY_MS) return { pending: true, message: `asked gateway ${gateway} for raw data of ${key}; waiting for it` };
    // Marked before the await: a second poll meanwhile must not send a second request.
    requested.set(key, now);
    const site = (await cloud.registry.entry(gateway))?.site ?? entry.site;
    const requestId = await cloud.commands.send({
      site,
      target: gateway,
      action: 'raw.request',
      args: { device, sensor, seconds: REQUEST_SECONDS },
      actor: 'web:spectrum',
      reason: `the machine panel shows ${key}'s spectrum and ${why}`,
    });
    return { pending: true, requestId, message: `asked gateway ${gateway} for ${REQUEST_SECONDS} s of raw data of ${key}` };
  }

  return router;
}

/** The spectra of a run of raw blocks, reduced for the panel's charts, with the shaft speed and bearing orders to mark. */
async function analyse(cloud: SpectrumModel, device: string, sensor: string, run: RawRun, machine: SiteMachine | undefined): Promise<SpectrumReady> {
  const nyquistHz = run.rateHz / 2;
  // Around the housing resonance the impacts ring, ±1 kHz as the library's envelope pipelines declare it; without
  // one the sensor's rate can see, a wide band above the shaft harmonics.
  const resonanceHz = machine?.resonanceHz;
  const bandHz: [number, number] =
    resonanceHz !== undefined && resonanceHz < 0.9 * nyquistHz
      ? [Math.max(0, resonanceHz - 1000), Math.min(0.98 * nyquistHz, resonanceHz + 1000)]
      : [run.rateHz / 20, 0.9 * nyquistHz];
  const spectra = spectraOf(run.samples, run.rateHz, bandHz);
  const shaft = await shaftOf(cloud, device, sensor, run, machine);
  const orders = machine?.bearingOrders;
  // Up to the band's width (the envelope holds nothing above it), 1 kHz at most, and when the defect lines are known
  // about four times the highest of them: their harmonics, still wide apart on a panel-sized chart.
  const highestHz = Math.max(0, ...defectMarkers(shaft?.hz, orders).map((m) => m.hz));
  const envelopeTopHz = Math.min(spectra.envelope.bandHz[1] - spectra.envelope.bandHz[0], 1000, highestHz > 0 ? Math.ceil((4 * highestHz) / 50) * 50 : Infinity);
  const spectrum = reduceSpectrum(spectra.spectrum, { maxPoints: MAX_POINTS, scale: 'log' });
  const envelope = reduceSpectrum(spectra.envelope, { toHz: envelopeTopHz, maxPoints: MAX_POINTS });
  return {
    pending: false,
    found: true,
    device,
    sensor,
    unit: run.unit,
    rateHz: run.rateHz,
    tsMs: run.tsMs,
    fromMs: run.fromMs,
    blocks: run.blocks,
    samples: run.samples.length,
    fftSize: spectra.size,
    ...(shaft ? { shaftHz: shaft.hz, shaftSource: shaft.source } : {}),
    ...(orders ? { bearingOrders: orders } : {}),
    spectrum: { binHz: spectra.spectrum.binHz, hz: spectrum.hz.map(hz3), amplitude: spectrum.amplitude.map(sig5) },
    envelope: { binHz: spectra.envelope.binHz, bandHz: spectra.envelope.bandHz, hz: envelope.hz.map(hz3), amplitude: envelope.amplitude.map(sig5) },
  };
}

/** The shaft's rotation frequency: the gateway's `shaftHz` feature of the window the block fell in, else the machine's nominal speed. */
async function shaftOf(cloud: SpectrumModel, device: string, sensor: string, run: RawRun, machine: SiteMachine | undefined): Promise<{ hz: number; source: 'features' | 'nominal' } | undefined> {
  const [window] = await cloud.storage.series({ device, sensor, fromMs: run.tsMs - 60_000, toMs: run.tsMs, limit: 1 });
  const measured = window?.features.shaftHz;
  if (measured !== undefined && measured > 0) return { hz: measured, source: 'features' };
  if (machine?.speedRpm) return { hz: machine.speedRpm / 60, source: 'nominal' };
  return undefined;
}

/** JSON a panel can afford every two seconds: frequencies to the mHz, amplitudes to 5 significant digits. */
const hz3 = (hz: number) => Math.round(hz * 1000) / 1000;
const sig5 = (a: number) => Number(a.toPrecision(5));
