import * as THREE from 'three';
import { mergeGeometries } from 'three/addons/utils/BufferGeometryUtils.js';

/** One machine's parts that never move, each in world space, and which of them take the machine's colours. */
export interface StaticMachine {
  device: string;
  parts: { geometry: THREE.BufferGeometry; world: THREE.Matrix4; colour: THREE.Color; role?: 'body' | 'lamp' }[];
}

/**
 * Every part that never moves, of every machine, as one mesh with a colour per vertex: one draw call for the whole
 * hall. A software renderer (SwiftShader, what a headless CI browser has) pays per instance and per draw, so
 * hundreds of machines as instances of a dozen meshes cost it several times what one merged mesh does. A machine's
 * health recolours its body's vertices; picking maps a hit triangle back to its machine.
 */
export class StaticHall {
  readonly mesh: THREE.Mesh;
  readonly #colours: THREE.BufferAttribute;
  readonly #machineOfVertex: Uint32Array;
  readonly #devices: string[];
  readonly #ranges = new Map<string, { body: [number, number][]; lamp: [number, number][] }>();

  constructor(machines: readonly StaticMachine[]) {
    const pieces: THREE.BufferGeometry[] = [];
    const owners: number[] = [];
    this.#devices = machines.map((m) => m.device);
    let vertex = 0;
    machines.forEach((machine, m) => {
      const ranges = { body: [] as [number, number][], lamp: [] as [number, number][] };
      for (const part of machine.parts) {
        // Non-indexed, position and normal only: every piece must have the same attributes to merge.
        const piece = (part.geometry.index ? part.geometry.toNonIndexed() : part.geometry.clone()).applyMatrix4(part.world);
        for (const name of Object.keys(piece.attributes)) if (name !== 'position' && name !== 'normal') piece.deleteAttribute(name);
        const count = piece.getAttribute('position').count;
        const colours = new Float32Array(count * 3);
        for (let i = 0; i < count; i++) part.colour.toArray(colours, i * 3);
        piece.setAttribute('color', new THREE.BufferAttribute(colours, 3));
        if (part.role) ranges[part.role].push([vertex, count]);
        pieces.push(piece);
        owners.push(m, count);
        vertex += count;
      }
      this.#ranges.set(machine.device, ranges);
    });
    const geometry = pieces.length ? mergeGeometries(pieces) : new THREE.BufferGeometry();
    this.#machineOfVertex = new Uint32Array(vertex);
    for (let i = 0, at = 0; i < owners.length; i += 2) {
      this.#machineOfVertex.fill(owners[i]!, at, at + owners[i + 1]!);
      at += owners[i + 1]!;
    }
    this.#colours = geometry.getAttribute('color') as THREE.BufferAttribute;
    this.mesh = new THREE.Mesh(geometry, new THREE.MeshLambertMaterial({ vertexColors: true }));
    this.mesh.name = 'static-hall';
  }

  /** Paints a machine's body (health) or lamp (alert) vertices. */
  paint(device: string, role: 'body' | 'lamp', colour: THREE.Color): void {
    const ranges = this.#ranges.get(device)?.[role];
    if (!ranges?.length || !this.#colours) return;
    const array = this.#colours.array as Float32Array;
    for (const [start, count] of ranges) for (let i = start; i < start + count; i++) colour.toArray(array, i * 3);
    this.#colours.needsUpdate = true;
  }

  /** The machine a ray hit on this mesh belongs to. */
  deviceOf(hit: THREE.Intersection): string | undefined {
    if (hit.object !== this.mesh || hit.face == null) return undefined;
    return this.#devices[this.#machineOfVertex[hit.face.a]!];
  }

  dispose(): void {
    this.mesh.geometry.dispose();
    (this.mesh.material as THREE.Material).dispose();
  }
}
