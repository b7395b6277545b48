/** Standard gravity, m/s² (ISO 80000-3): accelerations in g divide by it, and the motion worlds pull with it. */
export const STANDARD_GRAVITY = 9.80665;
