import * as THREE from 'three';
import { severityColor } from './colors';

interface MachineView {
  group: THREE.Group;
  body: THREE.MeshStandardMaterial;
  shaft: THREE.Mesh;
  beacon: THREE.MeshStandardMaterial;
  alert: boolean;
  level: number;
}

/** The 3D factory floor: one pump-like machine per device, coloured by its vibration level and alert state. */
export class FactoryScene {
  readonly #renderer: THREE.WebGLRenderer;
  readonly #scene = new THREE.Scene();
  readonly #camera = new THREE.PerspectiveCamera(45, 1, 0.1, 200);
  readonly #machines = new Map<string, MachineView>();
  readonly #canvas: HTMLCanvasElement;
  #frames = 0;

  constructor(canvas: HTMLCanvasElement) {
    this.#canvas = canvas;
    // preserveDrawingBuffer keeps the last frame readable, so tests and screenshots can sample its pixels.
    this.#renderer = new THREE.WebGLRenderer({ canvas, antialias: true, preserveDrawingBuffer: true });
    this.#renderer.setPixelRatio(Math.min(window.devicePixelRatio, 2));
    this.#scene.background = new THREE.Color(0x161b24);
    this.#camera.position.set(0, 6, 11);
    this.#camera.lookAt(0, 0.8, 0);

    this.#scene.add(new THREE.HemisphereLight(0xdde8ff, 0x202830, 1.4));
    const sun = new THREE.DirectionalLight(0xffffff, 2.2);
    sun.position.set(5, 10, 6);
    this.#scene.add(sun);
    const floor = new THREE.Mesh(new THREE.PlaneGeometry(60, 60), new THREE.MeshStandardMaterial({ color: 0x2a313d, roughness: 0.95 }));
    floor.rotation.x = -Math.PI / 2;
    this.#scene.add(floor);
    const grid = new THREE.GridHelper(60, 60, 0x3d4757, 0x323a48);
    grid.position.y = 0.01;
    this.#scene.add(grid);
  }

  get frames(): number {
    return this.#frames;
  }

  /** Adds the machine for `device` if it is new; machines are laid out in a row in name order. */
  ensureMachine(device: string): void {
    if (this.#machines.has(device)) return;
    const group = new THREE.Group();
    const body = new THREE.MeshStandardMaterial({ color: 0x2eb85a, metalness: 0.3, roughness: 0.5 });
    const steel = new THREE.MeshStandardMaterial({ color: 0x8a94a3, metalness: 0.8, roughness: 0.35 });
    const beacon = new THREE.MeshStandardMaterial({ color: 0x333333, emissive: 0x000000 });

    const base = new THREE.Mesh(new THREE.BoxGeometry(3.2, 0.25, 1.4), steel);
    base.position.y = 0.125;
    const motor = new THREE.Mesh(new THREE.CylinderGeometry(0.55, 0.55, 1.5, 32), body);
    motor.rotation.z = Math.PI / 2;
    motor.position.set(-0.75, 0.85, 0);
    const shaft = new THREE.Mesh(new THREE.CylinderGeometry(0.12, 0.12, 0.6, 12), steel);
    shaft.rotation.z = Math.PI / 2;
    shaft.position.set(0.3, 0.85, 0);
    const coupling = new THREE.Mesh(new THREE.BoxGeometry(0.1, 0.5, 0.06), steel);
    shaft.add(coupling);
    const pump = new THREE.Mesh(new THREE.CylinderGeometry(0.6, 0.6, 0.5, 32), body);
    pump.rotation.x = Math.PI / 2;
    pump.position.set(0.95, 0.85, 0);
    const light = new THREE.Mesh(new THREE.SphereGeometry(0.16, 16, 12), beacon);
    light.position.set(-0.75, 1.55, 0);
    group.add(base, motor, shaft, pump, light);

    this.#machines.set(device, { group, body, shaft, beacon, alert: false, level: 0 });
    this.#scene.add(group);
    const names = [...this.#machines.keys()].sort();
    names.forEach((name, i) => this.#machines.get(name)!.group.position.set((i - (names.length - 1) / 2) * 4, 0, 0));
  }

  setLevel(device: string, value: number, threshold: number): void {
    this.ensureMachine(device);
    const view = this.#machines.get(device)!;
    view.level = threshold > 0 ? value / threshold : 0;
    const { r, g, b } = severityColor(value, threshold);
    view.body.color.setRGB(r, g, b);
  }

  setAlert(device: string, raised: boolean): void {
    this.ensureMachine(device);
    this.#machines.get(device)!.alert = raised;
  }

  resize(width: number, height: number): void {
    this.#renderer.setSize(width, height, false);
    this.#camera.aspect = width / Math.max(height, 1);
    this.#camera.updateProjectionMatrix();
  }

  render(timeS: number): void {
    for (const view of this.#machines.values()) {
      view.shaft.rotation.x = timeS * 12;
      // Shake grows with vibration level so a fault is visible from across the room.
      const shake = Math.min(view.level, 3) * 0.02;
      view.group.children[1]!.position.y = 0.85 + shake * Math.sin(timeS * 90);
      const blink = view.alert && Math.sin(timeS * 8) > 0;
      view.beacon.color.setHex(view.alert ? 0xff3030 : 0x333333);
      view.beacon.emissive.setHex(blink ? 0xff2020 : 0x000000);
    }
    this.#renderer.render(this.#scene, this.#camera);
    this.#frames++;
    // What the last drawn frame holds, for tests and screenshots to wait on instead of guessing when it is on screen.
    this.#canvas.dataset.frame = String(this.#frames);
    this.#canvas.dataset.drawnMachines = String(this.#machines.size);
  }
}
