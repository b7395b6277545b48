import * as THREE from 'three';
import { describe, expect, it } from 'vitest';
import { nominalEffectorAt } from '../../../protocol/pick-place-path';
import { createRng } from '../../../sim/index';
import { PickPlaceCycle, type EffectorTarget } from '../../../twins/motion/trajectory';
import { modelOf, placeParts } from '../../../web/client/machine-models';
import { ARM_LINKS, armJoints, cellScale, DEFAULT_ARM_PATH, gripperAt, type ArmJoints } from '../../../web/client/arm-pose';

const joints = (): ArmJoints => ({ base: 0, shoulder: 0, elbow: 0 });

describe('the drawn robot arm follows its twin\'s pick-and-place path', () => {
  it('reads the same nominal path the twin drives its effector along', () => {
    const twin = new PickPlaceCycle({ ...DEFAULT_ARM_PATH, pickJitterM: 0 }, createRng('arm'));
    const target: EffectorTarget = { p: [0, 0, 0], v: [0, 0, 0], a: [0, 0, 0], yawRad: 0, yawRateRadS: 0, yawAccelRadS2: 0, carrying: false, still: true };
    for (let tS = 0; tS < 12; tS += 0.05) {
      twin.at(tS, target);
      const drawn = nominalEffectorAt(DEFAULT_ARM_PATH, tS, [0, 0, 0]);
      for (let i = 0; i < 3; i++) expect(drawn[i]).toBeCloseTo(target.p[i]!, 12);
    }
  });

  it('puts the gripper on the scaled path at every instant of a cycle (forward kinematics of the solved pose)', () => {
    const k = cellScale(DEFAULT_ARM_PATH);
    // The farther stop (0.6 m from the base) lands 1.5 m out.
    expect(k).toBeCloseTo(2.5, 12);
    for (let tS = 0; tS < 4; tS += 0.01) {
      const at = gripperAt(armJoints(DEFAULT_ARM_PATH, tS, joints()));
      const want = nominalEffectorAt(DEFAULT_ARM_PATH, tS, [0, 0, 0]).map((c) => c * k);
      for (let i = 0; i < 3; i++) expect(at[i]).toBeCloseTo(want[i]!, 9);
    }
  });

  it('faces pick at the start, swings a quarter turn to place at 2.25 s, and bends the elbow up, above the line to the gripper', () => {
    const atPick = armJoints(DEFAULT_ARM_PATH, 0.25, joints());
    const atPlace = armJoints(DEFAULT_ARM_PATH, 2.25, joints());
    // Pick lies on +x, place on +z: the turret (reaching along its −x) turns from π to π/2.
    expect(Math.abs(atPick.base)).toBeCloseTo(Math.PI, 12);
    expect(atPlace.base).toBeCloseTo(Math.PI / 2, 12);
    expect(atPick.elbow).toBeGreaterThan(0);
    const elbowHeight = ARM_LINKS.shoulderY + ARM_LINKS.upperM * Math.cos(atPick.shoulder);
    expect(elbowHeight).toBeGreaterThan(gripperAt(atPick)[1]);
  });

  it('lifts the part over the arc mid-move: 4h·¼ = h above the straight line, scaled', () => {
    const mid = gripperAt(armJoints(DEFAULT_ARM_PATH, 1.25, joints()));
    expect(mid[1]).toBeCloseTo((0.1 + 0.15) * cellScale(DEFAULT_ARM_PATH), 9);
  });

  it('is the pose the drawn model takes: its gripper part stands where the kinematics say', () => {
    const parts = modelOf('robot-arm', 'fine');
    const worlds = parts.map(() => new THREE.Matrix4());
    const gripper = parts.findIndex((p) => p.material === 'dark');
    for (const tS of [0.25, 0.9, 1.25, 1.8, 2.25, 3.1]) {
      const motion = { shaftRad: 0, beltM: 0, arm: armJoints(DEFAULT_ARM_PATH, tS, joints()) };
      placeParts(parts, new THREE.Matrix4(), motion, worlds);
      const drawn = new THREE.Vector3().setFromMatrixPosition(worlds[gripper]!);
      const want = gripperAt(motion.arm);
      expect([drawn.x, drawn.y, drawn.z].map((c) => c.toFixed(9))).toEqual(want.map((c) => c.toFixed(9)));
    }
  });
});
