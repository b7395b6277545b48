// Quaternion arithmetic on rapier's {x, y, z, w} records (unit quaternions, body → world). Only + − × ÷ and √:
// no transcendental calls, so every JavaScript engine gives the same bits.

export interface Vec3 {
  x: number;
  y: number;
  z: number;
}

export interface Quat extends Vec3 {
  w: number;
}

/**
 * Writes R(q)ᵀ·v, the world vector v in the body frame, to out[at … at+2].
 * v' = v − w·t + u × t with t = 2·u × v (rotation by the conjugate of q = (w, u)).
 */
export function toBodyFrame(q: Quat, vx: number, vy: number, vz: number, out: Float64Array, at: number): void {
  const tx = 2 * (q.y * vz - q.z * vy);
  const ty = 2 * (q.z * vx - q.x * vz);
  const tz = 2 * (q.x * vy - q.y * vx);
  out[at] = vx - q.w * tx + (q.y * tz - q.z * ty);
  out[at + 1] = vy - q.w * ty + (q.z * tx - q.x * tz);
  out[at + 2] = vz - q.w * tz + (q.x * ty - q.y * tx);
}

/**
 * Rotation vector (rad, world frame) that turns `q` into `target`, for small errors: θ ≈ 2·sgn(w)·vec(target ⊗ q*).
 * Written to `out`.
 */
export function rotationError(target: Quat, q: Quat, out: Vec3): void {
  // e = target ⊗ conj(q); Hamilton product with conj(q) = (w, −x, −y, −z)
  const w = target.w * q.w + target.x * q.x + target.y * q.y + target.z * q.z;
  const x = -target.w * q.x + target.x * q.w - target.y * q.z + target.z * q.y;
  const y = -target.w * q.y + target.y * q.w - target.z * q.x + target.x * q.z;
  const z = -target.w * q.z + target.z * q.w - target.x * q.y + target.y * q.x;
  const sign = w < 0 ? -2 : 2;
  out.x = sign * x;
  out.y = sign * y;
  out.z = sign * z;
}
