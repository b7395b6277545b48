import * as THREE from 'three';
import { OrbitControls } from 'three/addons/controls/OrbitControls.js';
import { CSS2DObject, CSS2DRenderer } from 'three/addons/renderers/CSS2DRenderer.js';
import { FOOTPRINT, layOut } from './layout';
import { StaticHall, type StaticMachine } from './static-hall';
import { modelOf, placeParts, type MachineMotion, type Part, type PartMaterial } from './machine-models';
import type { PickPlacePath } from '../../protocol/pick-place-path';
import { armJoints, DEFAULT_ARM_PATH } from './arm-pose';
import type { MachineKind, SiteLayout, SiteMachine } from './site';

/** How a machine's rates move its parts: shaft speed (rpm), belt speed (m/s). */
export interface MachineRates {
  rpm: number;
  beltMS: number;
}

interface MachineView {
  machine: SiteMachine;
  kind: MachineKind;
  /** Its index in its kind's instanced meshes. */
  index: number;
  base: THREE.Matrix4;
  position: THREE.Vector3;
  motion: MachineMotion;
  rates: MachineRates;
  /** A robot arm's pick-and-place path, and the event time on it, s since the run began. */
  arm?: PickPlacePath;
  armS?: number;
  colour: THREE.Color;
  alert: boolean;
  /** Whether its static lamp was last painted for an alert. */
  lampLit: boolean;
  label: CSS2DObject;
}

interface KindMeshes {
  parts: Part[];
  /** An instanced mesh per moving part; a part that never moves is in the static hall instead (undefined here). */
  meshes: (THREE.InstancedMesh | undefined)[];
  /** Parts that move, or hang from one that does: only these are recomposed every frame. */
  dynamic: boolean[];
  views: MachineView[];
  worlds: THREE.Matrix4[];
}

const MATERIALS: Record<Exclude<PartMaterial, 'body' | 'lamp'>, THREE.MeshLambertMaterial> = {
  steel: new THREE.MeshLambertMaterial({ color: 0x8a94a3 }),
  dark: new THREE.MeshLambertMaterial({ color: 0x3a4250 }),
  belt: new THREE.MeshLambertMaterial({ color: 0x1e2228 }),
  tote: new THREE.MeshLambertMaterial({ color: 0x2f6fd0 }),
};
/** Average frame times that step the resolution down (under 33 fps) or back up (50 fps and more, 240 frames on). */
const SLOW_FRAME_MS = 30;
const FAST_FRAME_MS = 20;
/** Above this many machines each is a few pixels wide: coarse models (see Detail). */
const COARSE_ABOVE = 60;
const LAMP_OFF = new THREE.Color(0x333333);
const LAMP_ON = new THREE.Color(0xff2020);
const LAMP_DIM = LAMP_ON.clone().multiplyScalar(0.4);
/** A machine's colour before its first reading. */
const WAITING = new THREE.Color(0x6b7f99);

/**
 * The 3D hall: every machine of the site drawn from its template's model, one instanced mesh per part per template
 * so hundreds of machines cost a few dozen draw calls; moving parts follow each machine's rates; bodies take the
 * machine's health colour. Orbit, pan and zoom with the mouse; `fitAll` frames the hall; `pick` finds the machine
 * under a point.
 */
export class FactoryScene {
  readonly #renderer: THREE.WebGLRenderer;
  readonly #labels = new CSS2DRenderer();
  readonly #scene = new THREE.Scene();
  readonly #camera = new THREE.PerspectiveCamera(45, 1, 0.1, 2000);
  readonly #controls: OrbitControls;
  readonly #canvas: HTMLCanvasElement;
  readonly #kinds = new Map<MachineKind, KindMeshes>();
  readonly #views = new Map<string, MachineView>();
  /** When the run's event time began, ms since the Unix epoch (0 when the site does not say). */
  #startMs = 0;
  readonly #raycaster = new THREE.Raycaster();
  #static: StaticHall | undefined;
  readonly #hoverRing: THREE.Mesh;
  readonly #selectRing: THREE.Mesh;
  #lastS: number | undefined;
  #coarse = false;
  /** Fraction of the device pixel ratio drawn at (dynamic resolution). */
  #resolution = 1;
  #frameEma = 16.7;
  #sinceChange = 0;
  #blink = false;
  #hovered: string | undefined;
  #selected: string | undefined;
  #frames = 0;
  #frameMs: number[] = [];

  constructor(canvas: HTMLCanvasElement, labelRoot: HTMLElement) {
    this.#canvas = canvas;
    // No antialiasing and no preserved buffer: each costs a software renderer (a headless browser's) a full-frame pass.
    // Tests read pixels with sample(), which reads in the same task as it draws.
    this.#renderer = new THREE.WebGLRenderer({ canvas, antialias: false });
    this.#renderer.setPixelRatio(Math.min(window.devicePixelRatio, 2));
    this.#labels.domElement.className = 'labels';
    labelRoot.append(this.#labels.domElement);
    this.#scene.background = new THREE.Color(0x161b24);
    this.#camera.position.set(0, 12, 22);
    this.#controls = new OrbitControls(this.#camera, canvas);
    this.#controls.enableDamping = true;
    this.#controls.maxPolarAngle = Math.PI * 0.48;
    this.#controls.target.set(0, 0.8, 0);

    this.#scene.add(new THREE.HemisphereLight(0xdde8ff, 0x202830, 1.4));
    const sun = new THREE.DirectionalLight(0xffffff, 2.2);
    sun.position.set(8, 16, 10);
    this.#scene.add(sun);
    const floor = new THREE.Mesh(new THREE.PlaneGeometry(400, 400), new THREE.MeshBasicMaterial({ color: 0x2a313d }));
    floor.rotation.x = -Math.PI / 2;
    floor.name = 'floor';
    this.#scene.add(floor);
    const grid = new THREE.GridHelper(240, 60, 0x3d4757, 0x323a48);
    grid.position.y = 0.01;
    this.#scene.add(grid);
    const ring = (colour: number, opacity: number) => {
      const mesh = new THREE.Mesh(new THREE.RingGeometry(0.92, 1, 48).rotateX(-Math.PI / 2), new THREE.MeshBasicMaterial({ color: colour, transparent: true, opacity }));
      mesh.visible = false;
      mesh.position.y = 0.02;
      this.#scene.add(mesh);
      return mesh;
    };
    this.#hoverRing = ring(0xffffff, 0.5);
    this.#selectRing = ring(0x4da3ff, 0.9);
  }

  /** Triangles and draw calls of the last frame. */
  get drawn(): { triangles: number; calls: number } {
    return { triangles: this.#renderer.info.render.triangles, calls: this.#renderer.info.render.calls };
  }

  get frames(): number {
    return this.#frames;
  }

  get machineCount(): number {
    return this.#views.size;
  }

  /** Durations of the last frames' render calls, ms, newest last (at most 600). */
  get frameTimes(): readonly number[] {
    return this.#frameMs;
  }

  /** Builds the hall: every machine of the site, laid out, with its template's model. Replaces what was there. */
  setSite(site: SiteLayout): void {
    this.#startMs = site.startMs ?? 0;
    for (const kind of this.#kinds.values()) for (const mesh of kind.meshes) if (mesh) this.#scene.remove(mesh);
    for (const view of this.#views.values()) view.label.removeFromParent();
    if (this.#static) {
      this.#scene.remove(this.#static.mesh);
      this.#static.dispose();
    }
    const statics: StaticMachine[] = [];
    this.#kinds.clear();
    this.#views.clear();
    const placed = new Map(layOut(site.machines).map((p) => [p.device, p]));
    // A big hall is drawn coarse, and labels only the machines that need a look.
    this.#coarse = site.machines.length > COARSE_ABOVE;
    const byKind = new Map<MachineKind, SiteMachine[]>();
    for (const machine of site.machines) byKind.set(machine.kind, [...(byKind.get(machine.kind) ?? []), machine]);
    for (const [kind, machines] of byKind) {
      const parts = modelOf(kind, this.#coarse ? 'coarse' : 'fine');
      const body = new THREE.MeshLambertMaterial({ color: 0xffffff });
      const lamp = new THREE.MeshLambertMaterial({ color: 0xffffff, emissive: 0x000000 });
      const dynamic: boolean[] = [];
      parts.forEach((part) => {
        dynamic.push(isMoving(part) || (part.parent !== undefined && dynamic[part.parent] === true));
      });
      const meshes = parts.map((part, i) => {
        if (!dynamic[i]) return undefined;
        const material = part.material === 'body' ? body : part.material === 'lamp' ? lamp : MATERIALS[part.material];
        const mesh = new THREE.InstancedMesh(part.geometry, material, machines.length);
        mesh.userData.kind = kind;
        if (part.material === 'body' || part.material === 'lamp') {
          for (let i = 0; i < machines.length; i++) mesh.setColorAt(i, part.material === 'lamp' ? LAMP_OFF : new THREE.Color(0x6b7f99));
        }
        this.#scene.add(mesh);
        return mesh;
      });
      const group: KindMeshes = { parts, meshes, dynamic, views: [], worlds: parts.map(() => new THREE.Matrix4()) };
      machines.forEach((machine, index) => {
        const at = placed.get(machine.device)!;
        const position = new THREE.Vector3(at.x, 0, at.z);
        const base = new THREE.Matrix4().compose(position, new THREE.Quaternion().setFromAxisAngle(new THREE.Vector3(0, 1, 0), (at.rotationDeg * Math.PI) / 180), new THREE.Vector3(1, 1, 1));
        const element = document.createElement('div');
        element.className = 'machine-label';
        element.dataset.device = machine.device;
        element.textContent = machine.device;
        const label = new CSS2DObject(element);
        label.position.set(at.x, labelHeight(kind), at.z);
        this.#scene.add(label);
        const view: MachineView = {
          machine,
          kind,
          index,
          base,
          position,
          motion: { shaftRad: 0, beltM: 0, arm: { base: 0, shoulder: 0, elbow: 0 } },
          rates: { rpm: machine.speedRpm ?? 0, beltMS: machine.beltSpeedMS ?? 0 },
          ...(kind === 'robot-arm' ? { arm: machine.arm ?? DEFAULT_ARM_PATH, armS: 0 } : {}),
          colour: new THREE.Color(0x6b7f99),
          alert: false,
          lampLit: false,
          label,
        };
        group.views.push(view);
        this.#showLabel(view);
        this.#views.set(machine.device, view);
        if (view.arm) armJoints(view.arm, 0, view.motion.arm);
        placeParts(parts, base, view.motion, group.worlds);
        meshes.forEach((mesh, i) => mesh?.setMatrixAt(index, group.worlds[i]!));
        statics.push({
          device: machine.device,
          parts: parts.flatMap((part, i) =>
            dynamic[i]
              ? []
              : [{ geometry: part.geometry, world: group.worlds[i]!.clone(), colour: part.material === 'body' ? WAITING : part.material === 'lamp' ? LAMP_OFF : MATERIALS[part.material].color, ...(part.material === 'body' || part.material === 'lamp' ? { role: part.material } : {}) }],
          ),
        });
      });
      for (const mesh of meshes) {
        if (!mesh) continue;
        mesh.instanceMatrix.needsUpdate = true;
        mesh.computeBoundingSphere();
      }
      this.#kinds.set(kind, group);
    }
    this.#static = new StaticHall(statics);
    this.#scene.add(this.#static.mesh);
    this.fitAll();
  }

  /** Frames every machine: the camera looks at the hall's centre from far enough to see all of it. */
  fitAll(): void {
    const box = new THREE.Box3();
    for (const view of this.#views.values()) {
      const { w, d } = FOOTPRINT[view.kind];
      box.expandByPoint(view.position.clone().add(new THREE.Vector3(w / 2, 2, d / 2)));
      box.expandByPoint(view.position.clone().sub(new THREE.Vector3(w / 2, 0, d / 2)));
    }
    if (box.isEmpty()) box.set(new THREE.Vector3(-5, 0, -5), new THREE.Vector3(5, 2, 5));
    const centre = box.getCenter(new THREE.Vector3());
    const size = box.getSize(new THREE.Vector3());
    const fov = (this.#camera.fov * Math.PI) / 180;
    const aspect = Math.max(this.#camera.aspect, 0.1);
    // Distance at which the hall's width and depth both fit, seen from 40° above the floor.
    const span = Math.max(size.z * 1.2, size.x / aspect, 14);
    const distance = (span / 2 / Math.tan(fov / 2)) * 0.95;
    const elevation = (40 * Math.PI) / 180;
    this.#controls.target.copy(centre).setY(0.8);
    this.#camera.position.set(centre.x, distance * Math.sin(elevation), centre.z + distance * Math.cos(elevation));
    this.#camera.far = distance * 4 + 100;
    this.#camera.updateProjectionMatrix();
    this.#controls.update();
  }

  /** The machine's body colour (its health) and whether its alert lamp blinks. */
  setHealth(device: string, colour: { r: number; g: number; b: number }, alert: boolean): void {
    const view = this.#views.get(device);
    if (!view) return;
    view.colour.setRGB(colour.r, colour.g, colour.b);
    view.alert = alert;
    view.label.element.dataset.alert = alert ? 'raised' : 'clear';
    this.#showLabel(view);
    const group = this.#kinds.get(view.kind)!;
    group.parts.forEach((part, i) => {
      const mesh = group.meshes[i];
      if (part.material !== 'body' || !mesh) return;
      mesh.setColorAt(view.index, view.colour);
      mesh.instanceColor!.needsUpdate = true;
    });
    this.#static?.paint(device, 'body', view.colour);
  }

  /** What drives its moving parts now (a reading of its speed, a command that slowed it). */
  setRates(device: string, rates: Partial<MachineRates>): void {
    const view = this.#views.get(device);
    if (view) Object.assign(view.rates, rates);
  }

  /**
   * The hall's event time (ms since the Unix epoch), as the latest readings or the replay's instant tell it. Arms
   * keep their own time between calls, advanced per frame, and jump only when it is more than 1.5 s off: a reading
   * trails the plant by its window, and snapping to every one would make the arms stutter.
   */
  setEventTime(ms: number): void {
    const tS = (ms - this.#startMs) / 1000;
    for (const view of this.#views.values()) if (view.armS !== undefined && Math.abs(view.armS - tS) > 1.5) view.armS = tS;
  }

  /** The machine under a point of the canvas (CSS pixels from its top left), if any. */
  pick(x: number, y: number): string | undefined {
    const rect = this.#canvas.getBoundingClientRect();
    const ndc = new THREE.Vector2((x / rect.width) * 2 - 1, -(y / rect.height) * 2 + 1);
    this.#raycaster.setFromCamera(ndc, this.#camera);
    const meshes: THREE.Object3D[] = [...this.#kinds.values()].flatMap((k) => k.meshes.filter((m): m is THREE.InstancedMesh => m !== undefined));
    if (this.#static) meshes.push(this.#static.mesh);
    for (const hit of this.#raycaster.intersectObjects(meshes, false)) {
      if (hit.instanceId !== undefined) return this.#kinds.get(hit.object.userData.kind as MachineKind)?.views[hit.instanceId]?.machine.device;
      const device = this.#static?.deviceOf(hit);
      if (device) return device;
    }
    return undefined;
  }

  /** Draws a frame and reads the colour at each point (CSS pixels), in the same task, before the buffer is cleared. */
  sample(points: readonly { x: number; y: number }[]): [number, number, number][] {
    this.#renderer.render(this.#scene, this.#camera);
    const gl = this.#renderer.getContext();
    const ratio = gl.drawingBufferWidth / Math.max(this.#canvas.getBoundingClientRect().width, 1);
    const pixel = new Uint8Array(4);
    return points.map(({ x, y }) => {
      gl.readPixels(Math.round(x * ratio), Math.round(gl.drawingBufferHeight - 1 - y * ratio), 1, 1, gl.RGBA, gl.UNSIGNED_BYTE, pixel);
      return [pixel[0]!, pixel[1]!, pixel[2]!];
    });
  }

  /** Where a machine's centre is on the canvas, CSS pixels, and whether it is in front of the camera. */
  screenPosition(device: string): { x: number; y: number; inView: boolean } | undefined {
    const view = this.#views.get(device);
    if (!view) return undefined;
    const p = view.position.clone().add(PICK_ANCHOR[view.kind]).project(this.#camera);
    const rect = this.#canvas.getBoundingClientRect();
    return { x: ((p.x + 1) / 2) * rect.width, y: ((1 - p.y) / 2) * rect.height, inView: p.z < 1 && Math.abs(p.x) <= 1 && Math.abs(p.y) <= 1 };
  }

  hover(device: string | undefined): void {
    const before = this.#hovered;
    this.#hovered = device;
    for (const d of [before, device]) if (d && this.#views.has(d)) this.#showLabel(this.#views.get(d)!);
    this.#ring(this.#hoverRing, device);
    this.#canvas.style.cursor = device ? 'pointer' : '';
  }

  select(device: string | undefined): void {
    const before = this.#selected;
    this.#selected = device;
    for (const d of [before, device]) if (d && this.#views.has(d)) this.#showLabel(this.#views.get(d)!);
    this.#ring(this.#selectRing, device);
  }

  resize(width: number, height: number): void {
    this.#renderer.setSize(width, height, false);
    this.#labels.setSize(width, height);
    this.#camera.aspect = width / Math.max(height, 1);
    this.#camera.updateProjectionMatrix();
  }

  /** Advances every machine's moving parts to `timeS` (page time, s) and draws a frame. */
  render(timeS: number): void {
    const started = performance.now();
    if (this.#lastS !== undefined) this.#adaptResolution((timeS - this.#lastS) * 1000);
    const dt = this.#lastS === undefined ? 0 : Math.min(Math.max(timeS - this.#lastS, 0), 0.25);
    this.#lastS = timeS;
    const blink = Math.sin(timeS * 8) > 0;
    const blinked = blink !== this.#blink;
    this.#blink = blink;
    for (const group of this.#kinds.values()) {
      const lampIndex = group.parts.findIndex((p) => p.material === 'lamp');
      const lampMesh = lampIndex >= 0 ? group.meshes[lampIndex] : undefined;
      for (const view of group.views) {
        const { motion, rates } = view;
        motion.shaftRad = (motion.shaftRad + (rates.rpm / 60) * 2 * Math.PI * dt) % (2 * Math.PI);
        motion.beltM += rates.beltMS * dt;
        if (view.arm) armJoints(view.arm, (view.armS = (view.armS ?? 0) + dt), motion.arm);
        placeParts(group.parts, view.base, motion, group.worlds);
        group.meshes.forEach((mesh, i) => mesh?.setMatrixAt(view.index, group.worlds[i]!));
        const lampColour = view.alert && blink ? LAMP_ON : view.alert ? LAMP_DIM : LAMP_OFF;
        if (lampMesh) lampMesh.setColorAt(view.index, lampColour);
        // A static lamp is repainted only when it blinks, or went dark since: a vertex upload, not one per frame.
        else if (lampIndex >= 0 && (blinked || view.lampLit !== view.alert)) {
          this.#static?.paint(view.machine.device, 'lamp', lampColour);
          view.lampLit = view.alert;
        }
      }
      for (const mesh of group.meshes) if (mesh) mesh.instanceMatrix.needsUpdate = true;
      if (lampMesh) lampMesh.instanceColor!.needsUpdate = true;
    }
    this.#controls.update();
    this.#renderer.render(this.#scene, this.#camera);
    this.#labels.render(this.#scene, this.#camera);
    this.#frames++;
    this.#frameMs.push(performance.now() - started);
    if (this.#frameMs.length > 600) this.#frameMs = this.#frameMs.slice(-600);
    // What the last drawn frame holds, for tests and screenshots to wait on instead of guessing when it is on screen.
    this.#canvas.dataset.frame = String(this.#frames);
    this.#canvas.dataset.drawnMachines = String(this.#views.size);
  }

  /**
   * Dynamic resolution, as games do: after a run of slow frames (a software renderer, a big hall) the canvas draws
   * at a lower pixel ratio, down to half, and climbs back after a run of fast ones. Full resolution on a real GPU.
   */
  #adaptResolution(frameMs: number): void {
    // A moving average: frames alternate between one and several vsync intervals, so single frames say little.
    this.#frameEma = this.#frameEma * 0.9 + Math.min(frameMs, 250) * 0.1;
    this.#sinceChange++;
    let scale = this.#resolution;
    if (this.#frameEma > SLOW_FRAME_MS && this.#sinceChange >= 30 && scale > 0.5) scale -= 0.1;
    else if (this.#frameEma < FAST_FRAME_MS && this.#sinceChange >= 240 && scale < 1) scale += 0.1;
    else return;
    this.#resolution = Math.round(scale * 10) / 10;
    this.#sinceChange = 0;
    this.#renderer.setPixelRatio(Math.min(window.devicePixelRatio, 2) * this.#resolution);
    this.#canvas.dataset.resolution = String(this.#resolution);
  }

  /** In a coarse hall only machines in alarm, hovered or selected carry a label: 200 labels are a wall of text. */
  #showLabel(view: MachineView): void {
    view.label.visible = !this.#coarse || view.alert || view.machine.device === this.#hovered || view.machine.device === this.#selected;
  }

  #ring(ring: THREE.Mesh, device: string | undefined): void {
    const view = device ? this.#views.get(device) : undefined;
    ring.visible = view !== undefined;
    if (!view) return;
    const { w, d } = FOOTPRINT[view.kind];
    const r = Math.hypot(w, d) / 2 + 0.3;
    ring.position.set(view.position.x, 0.02, view.position.z);
    ring.scale.set(r, 1, r);
  }
}

/** A part moves when its transform depends on the motion: `moving()` places read it, `fixed()` ones ignore it. */
function isMoving(part: Part): boolean {
  const a = new THREE.Matrix4();
  const b = new THREE.Matrix4();
  part.place(a, { shaftRad: 0, beltM: 0, arm: { base: 0, shoulder: 0, elbow: 0 } });
  part.place(b, { shaftRad: 1, beltM: 1, arm: { base: 1, shoulder: 0.3, elbow: 0.5 } });
  return !a.equals(b);
}

/** A point on each model's solid body, relative to its base: where a click surely lands on the machine. */
const PICK_ANCHOR: Readonly<Record<MachineKind, THREE.Vector3>> = {
  pump: new THREE.Vector3(-0.75, 0.85, 0),
  fan: new THREE.Vector3(-0.7, 1.0, 0),
  conveyor: new THREE.Vector3(0, 0.8, 0),
  'robot-arm': new THREE.Vector3(0, 0.3, 0),
  environment: new THREE.Vector3(0, 1.7, 0),
  other: new THREE.Vector3(0, 0.8, 0),
};

function labelHeight(kind: MachineKind): number {
  return kind === 'robot-arm' ? 3.4 : kind === 'environment' ? 2.4 : kind === 'fan' ? 2.3 : kind === 'conveyor' ? 1.7 : 2.0;
}
