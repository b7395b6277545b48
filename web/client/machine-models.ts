import * as THREE from 'three';
import { ARM_LINKS, type ArmJoints } from './arm-pose';
import type { MachineKind } from './site';

/** What a part is made of; `body` takes the machine's health colour, per instance. */
export type PartMaterial = 'body' | 'steel' | 'dark' | 'belt' | 'tote' | 'lamp';

/** The live state a machine's moving parts follow, advanced every frame from its readings and its nominal speed. */
export interface MachineMotion {
  /** Shaft angle, rad (pumps, fans). */
  shaftRad: number;
  /** How far the belt has run, m (conveyors). */
  beltM: number;
  /** Joint angles that put the gripper on the twin's pick-and-place path (robot arms). */
  arm: ArmJoints;
}

/**
 * One part of a machine model: its shape, material, and where it sits relative to its parent (the machine's base
 * when `parent` is absent), given the machine's motion. Parts are listed parent first.
 */
export interface Part {
  geometry: THREE.BufferGeometry;
  material: PartMaterial;
  parent?: number;
  /** Writes the part's transform relative to its parent into `out`. */
  place(out: THREE.Matrix4, motion: MachineMotion): void;
  /** A detail too small to see in a coarse hall: left out there. Never a parent. */
  fineOnly?: true;
}

const m4 = new THREE.Matrix4();
const q = new THREE.Quaternion();
const e = new THREE.Euler();
const v = new THREE.Vector3();
const one = new THREE.Vector3(1, 1, 1);

/** A fixed transform: translation, then rotation (XYZ Euler, rad). */
function fixed(x: number, y: number, z: number, rx = 0, ry = 0, rz = 0): Part['place'] {
  const matrix = new THREE.Matrix4().compose(new THREE.Vector3(x, y, z), new THREE.Quaternion().setFromEuler(new THREE.Euler(rx, ry, rz)), one);
  return (out) => void out.copy(matrix);
}

/** A transform that moves: translation and rotation computed from the motion each frame. */
function moving(at: (motion: MachineMotion) => [x: number, y: number, z: number, rx: number, ry: number, rz: number]): Part['place'] {
  return (out, motion) => {
    const [x, y, z, rx, ry, rz] = at(motion);
    out.compose(v.set(x, y, z), q.setFromEuler(e.set(rx, ry, rz)), one);
  };
}

/**
 * How finely parts are drawn. A software renderer (SwiftShader, what a headless CI browser has) pays per triangle,
 * so a hall of hundreds of machines, each a few pixels wide, is drawn coarse: no small parts, cylinders as boxes.
 */
export type Detail = 'fine' | 'coarse';

const box = (w: number, h: number, d: number) => new THREE.BoxGeometry(w, h, d);
const cylinder = (r: number, h: number, segments = 12) => new THREE.CylinderGeometry(r, r, h, segments);
const sphere = (r: number) => new THREE.SphereGeometry(r, 8, 6);

/** Motor, coupling and pump casing on a baseplate; the shaft and coupling spin at the shaft's speed. */
function pump(): Part[] {
  return [
    { geometry: box(3.2, 0.25, 1.4), material: 'steel', place: fixed(0, 0.125, 0) },
    { geometry: cylinder(0.55, 1.5), material: 'body', place: fixed(-0.75, 0.85, 0, 0, 0, Math.PI / 2) },
    { geometry: box(0.3, 0.45, 1.0), material: 'dark', place: fixed(-0.75, 0.42, 0), fineOnly: true },
    { geometry: cylinder(0.12, 0.6, 6), material: 'steel', place: moving((m) => [0.3, 0.85, 0, m.shaftRad, 0, Math.PI / 2]), fineOnly: true },
    { geometry: box(0.1, 0.5, 0.06), material: 'steel', place: moving((m) => [0.3, 0.85, 0, m.shaftRad, 0, 0]), fineOnly: true },
    { geometry: cylinder(0.6, 0.5), material: 'body', place: fixed(0.95, 0.85, 0, Math.PI / 2, 0, 0) },
    { geometry: cylinder(0.14, 0.9, 6), material: 'steel', place: fixed(0.95, 1.45, 0), fineOnly: true },
    { geometry: sphere(0.16), material: 'lamp', place: fixed(-0.75, 1.55, 0), fineOnly: true },
  ];
}

/** Motor on a stand driving a bladed rotor inside a ring; the blades turn at the shaft's speed. */
function fan(): Part[] {
  const blade = box(0.16, 1.5, 0.04);
  return [
    { geometry: box(1.0, 0.2, 1.4), material: 'steel', place: fixed(-0.7, 0.1, 0) },
    { geometry: cylinder(0.42, 1.0), material: 'body', place: fixed(-0.7, 1.0, 0, 0, 0, Math.PI / 2) },
    { geometry: box(0.25, 0.8, 0.5), material: 'dark', place: fixed(-0.7, 0.5, 0), fineOnly: true },
    { geometry: new THREE.TorusGeometry(0.95, 0.07, 4, 20), material: 'steel', place: fixed(0.35, 1.0, 0, 0, Math.PI / 2, 0), fineOnly: true },
    { geometry: blade, material: 'body', place: moving((m) => [0.35, 1.0, 0, m.shaftRad, 0, 0]) },
    { geometry: blade, material: 'body', place: moving((m) => [0.35, 1.0, 0, m.shaftRad + Math.PI / 3, 0, 0]), fineOnly: true },
    { geometry: blade, material: 'body', place: moving((m) => [0.35, 1.0, 0, m.shaftRad + (2 * Math.PI) / 3, 0, 0]), fineOnly: true },
    { geometry: sphere(0.14), material: 'lamp', place: fixed(-0.7, 1.6, 0), fineOnly: true },
  ];
}

const BELT_LENGTH = 6.4;
const TOTES = 4;

/** A belt on legs with totes riding it at the belt's speed, and a drive motor at one end. */
function conveyor(): Part[] {
  const leg = box(0.12, 0.7, 0.12);
  const parts: Part[] = [
    { geometry: box(BELT_LENGTH + 0.3, 0.18, 1.0), material: 'body', place: fixed(0, 0.8, 0) },
    { geometry: box(BELT_LENGTH, 0.04, 0.86), material: 'belt', place: fixed(0, 0.91, 0), fineOnly: true },
    { geometry: cylinder(0.22, 0.5), material: 'dark', place: fixed(-BELT_LENGTH / 2 - 0.1, 0.6, 0.7, Math.PI / 2, 0, 0), fineOnly: true },
    { geometry: sphere(0.12), material: 'lamp', place: fixed(-BELT_LENGTH / 2 - 0.1, 1.05, 0.7), fineOnly: true },
  ];
  for (const x of [-BELT_LENGTH / 2 + 0.3, BELT_LENGTH / 2 - 0.3]) for (const z of [-0.38, 0.38]) parts.push({ geometry: leg, material: 'steel', place: fixed(x, 0.35, z), fineOnly: true });
  const tote = box(0.55, 0.32, 0.5);
  for (let i = 0; i < TOTES; i++) {
    parts.push({
      geometry: tote,
      material: 'tote',
      ...(i % 2 === 1 ? { fineOnly: true as const } : {}),
      place: moving((m) => {
        const along = ((((m.beltM + (i * BELT_LENGTH) / TOTES) % BELT_LENGTH) + BELT_LENGTH) % BELT_LENGTH) - BELT_LENGTH / 2;
        return [along, 1.09, 0, 0, 0, 0];
      }),
    });
  }
  return parts;
}

/** A six-axis arm reduced to what reads from across a hall: turret, upper arm, forearm and gripper on a pedestal. */
function robotArm(): Part[] {
  return [
    { geometry: cylinder(0.5, 0.4), material: 'steel', place: fixed(0, 0.2, 0) },
    { geometry: cylinder(0.34, 0.5), material: 'body', parent: 0, place: moving((m) => [0, 0.45, 0, 0, m.arm.base, 0]) },
    { geometry: box(0.26, ARM_LINKS.upperM, 0.26).translate(0, ARM_LINKS.upperM / 2, 0), material: 'body', parent: 1, place: moving((m) => [0, ARM_LINKS.shoulderY - 0.65, 0, 0, 0, m.arm.shoulder]) },
    { geometry: box(0.2, 1.1, 0.2).translate(0, 0.55, 0), material: 'body', parent: 2, place: moving((m) => [0, ARM_LINKS.upperM, 0, 0, 0, m.arm.elbow]) },
    { geometry: box(0.34, 0.16, 0.3), material: 'dark', parent: 3, place: fixed(0, ARM_LINKS.foreM, 0), fineOnly: true },
    { geometry: sphere(0.12), material: 'lamp', parent: 1, place: fixed(0, 0.35, 0), fineOnly: true },
  ];
}

/** A climate sensor on a post. */
function environment(): Part[] {
  return [
    { geometry: cylinder(0.05, 1.6, 6), material: 'steel', place: fixed(0, 0.8, 0) },
    { geometry: box(0.35, 0.45, 0.2), material: 'body', place: fixed(0, 1.7, 0) },
    { geometry: sphere(0.08), material: 'lamp', place: fixed(0, 2.0, 0), fineOnly: true },
  ];
}

/** A cabinet, for a machine the page has no model of. */
function other(): Part[] {
  return [
    { geometry: box(1.2, 1.6, 0.8), material: 'body', place: fixed(0, 0.8, 0) },
    { geometry: sphere(0.1), material: 'lamp', place: fixed(0, 1.75, 0), fineOnly: true },
  ];
}

const MODELS: Readonly<Record<MachineKind, () => Part[]>> = { pump, fan, conveyor, 'robot-arm': robotArm, environment, other };

/** The parts of a kind's model at a level of detail: coarse leaves out the fine-only parts and keeps parents right. */
export function modelOf(kind: MachineKind, level: Detail): Part[] {
  const parts = MODELS[kind]();
  if (level === 'fine') return parts;
  const kept = parts.filter((p) => !p.fineOnly);
  return kept.map((p) => ({ ...p, geometry: coarse(p.geometry), ...(p.parent === undefined ? {} : { parent: kept.indexOf(parts[p.parent]!) }) }));
}

/** Coarse, a cylinder is its bounding box: 12 triangles instead of 48 or more. */
function coarse(geometry: THREE.BufferGeometry): THREE.BufferGeometry {
  if (!(geometry instanceof THREE.CylinderGeometry)) return geometry;
  const { radiusTop, height } = geometry.parameters;
  return new THREE.BoxGeometry(2 * radiusTop, height, 2 * radiusTop);
}

/** Composes each part's world matrix (base × ancestors × own) into `out`, parent first. */
export function placeParts(parts: readonly Part[], base: THREE.Matrix4, motion: MachineMotion, out: THREE.Matrix4[]): void {
  parts.forEach((part, i) => {
    part.place(m4, motion);
    out[i]!.multiplyMatrices(part.parent === undefined ? base : out[part.parent]!, m4);
  });
}
