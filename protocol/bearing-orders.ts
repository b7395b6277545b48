/** Rolling-element bearing geometry: what a twin's bearing is built from, and what a gateway's envelope analysis declares. */
export interface BearingGeometry {
  /** Number of rolling elements N. */
  balls: number;
  /** Rolling-element diameter d, mm. */
  ballDiameterMm: number;
  /** Pitch diameter D, mm. */
  pitchDiameterMm: number;
  /** Contact angle α, degrees. */
  contactAngleDeg: number;
}

/** Defect frequencies as multiples of the shaft rotation frequency fr (stationary outer race). */
export interface BearingOrders {
  /** Ball pass frequency, outer race. */
  bpfo: number;
  /** Ball pass frequency, inner race. */
  bpfi: number;
  /** Ball spin frequency; a ball defect strikes a race at 2·BSF. */
  bsf: number;
  /** Fundamental train (cage) frequency. */
  ftf: number;
}

/**
 * The four standard kinematic frequencies (e.g. Randall & Antoni, MSSP 25 (2011) 485–520, eqs. 1–4): the twins
 * strike at them, and the gateway looks for them in the envelope spectrum, from this one definition.
 */
export function bearingOrders(g: BearingGeometry): BearingOrders {
  const ratio = (g.ballDiameterMm / g.pitchDiameterMm) * Math.cos((g.contactAngleDeg * Math.PI) / 180);
  return {
    bpfo: (g.balls / 2) * (1 - ratio), // BPFO = N/2·fr·(1 − d/D·cosα)
    bpfi: (g.balls / 2) * (1 + ratio), // BPFI = N/2·fr·(1 + d/D·cosα)
    bsf: (g.pitchDiameterMm / (2 * g.ballDiameterMm)) * (1 - ratio * ratio), // BSF = D/(2d)·fr·(1 − (d/D·cosα)²)
    ftf: (1 - ratio) / 2, // FTF = fr/2·(1 − d/D·cosα)
  };
}
