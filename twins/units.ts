/** Standard gravity, m/s² (ISO 80000-3): accelerations in g divide by it, and the motion worlds pull with it. */
export const STANDARD_GRAVITY = 9.80665;

/** Shaft speed in rpm to angular speed in rad/s: ω = 2π·n/60. */
export const RAD_S_PER_RPM = (2 * Math.PI) / 60;

/** Watts per kilowatt: the physics works in W (SI), the power meter reports kW as switchboard meters do. */
export const W_PER_KW = 1000;

/** Seconds per hour: energy in kWh is ∫P dt (kW·s) over 3600. */
export const S_PER_H = 3600;
