import type { FeaturesV1, FeaturesV2 } from './messages';

// Readers take every version on the wire and work on the newest: an upcast adds what the old version lacked as absent.

/** A features window as v2: a v1 window gains `v: 2` and no gateway or model score (it never carried them); a v2 passes through. */
export function upcastFeatures(message: FeaturesV1 | FeaturesV2): FeaturesV2 {
  if (message.v === 2) return message;
  return { ...message, v: 2 };
}
