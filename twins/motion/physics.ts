import RAPIER, { type World } from '@dimforge/rapier3d-deterministic-compat';
import { z } from 'zod';
import { STANDARD_GRAVITY } from '../units';
import { MotionError } from './motion-error';

/**
 * The rapier module: the cross-platform deterministic build (`@dimforge/rapier3d-deterministic-compat`, WASM inlined),
 * so the same seed gives the same bytes on every machine, not only on the one that recorded them; measured as fast.
 */
export type Rapier = typeof RAPIER;

/** The worlds pull along −y with standard gravity and the IMUs express force in it. */
export const GRAVITY_MS2 = STANDARD_GRAVITY;

let loading: Promise<Rapier> | undefined;
let loaded: Rapier | undefined;

/** Loads rapier's WASM. Idempotent: every call returns the same promise, and a failed load may be retried. */
export function initPhysics(): Promise<Rapier> {
  loading ??= RAPIER.init().then(
    () => (loaded = RAPIER),
    (error: unknown) => {
      loading = undefined;
      throw error;
    },
  );
  return loading;
}

/** The loaded rapier module; twins are built synchronously, after `await initPhysics()`. */
export function rapier(): Rapier {
  if (loaded === undefined) {
    throw new MotionError('E_MOTION_NOT_READY', 'rapier is not loaded: await initPhysics() once before building a motion twin');
  }
  return loaded;
}

/** Config fields every rapier-driven twin shares, with that twin's defaults. */
export function physicsShape(defaults: { physicsHz: number; solverIterations: number }) {
  return {
    physicsHz: z
      .number()
      .int()
      .min(50)
      .max(2000)
      .default(defaults.physicsHz)
      .describe(`Fixed physics step rate, Hz: the world advances in steps of exactly 1/physicsHz s, never by wall time. Default ${defaults.physicsHz}.`),
    solverIterations: z
      .number()
      .int()
      .min(1)
      .max(16)
      .default(defaults.solverIterations)
      .describe(`Contact solver iterations (rapier substeps) per step; more is stiffer contact and costs more. Default ${defaults.solverIterations}.`),
  } as const;
}

export interface PhysicsConfig {
  physicsHz: number;
  solverIterations: number;
}

/** An empty world with gravity g along −y, stepping by exactly 1/physicsHz. */
export function createWorld(config: PhysicsConfig): World {
  const R = rapier();
  const world = new R.World({ x: 0, y: -GRAVITY_MS2, z: 0 });
  world.timestep = 1 / config.physicsHz;
  world.numSolverIterations = config.solverIterations;
  return world;
}
