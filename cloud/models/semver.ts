// Registered model versions are semantic versions (semver.org 2.0.0 §2: MAJOR.MINOR.PATCH, no leading zeros).
// Pre-release and build tags are left out: a registry version only ever goes up, and plain triples order simply.

export interface Semver {
  major: number;
  minor: number;
  patch: number;
}

export type SemverBump = 'major' | 'minor' | 'patch';

const SEMVER = /^(0|[1-9]\d*)\.(0|[1-9]\d*)\.(0|[1-9]\d*)$/;

/** The version `text` names, or undefined when it is not MAJOR.MINOR.PATCH. */
export function parseSemver(text: string): Semver | undefined {
  const match = SEMVER.exec(text);
  if (!match) return undefined;
  const [major, minor, patch] = [match[1], match[2], match[3]].map(Number) as [number, number, number];
  return [major, minor, patch].every(Number.isSafeInteger) ? { major, minor, patch } : undefined;
}

export function formatSemver(version: Semver): string {
  return `${version.major}.${version.minor}.${version.patch}`;
}

/** Negative when a < b, 0 when equal, positive when a > b; numeric per part, so 1.10.0 > 1.9.0. */
export function compareSemver(a: Semver, b: Semver): number {
  return a.major - b.major || a.minor - b.minor || a.patch - b.patch;
}

/** The next version: a bump resets the parts after it (1.2.3 → minor → 1.3.0). */
export function bumpSemver(version: Semver, bump: SemverBump): Semver {
  switch (bump) {
    case 'major':
      return { major: version.major + 1, minor: 0, patch: 0 };
    case 'minor':
      return { major: version.major, minor: version.minor + 1, patch: 0 };
    case 'patch':
      return { ...version, patch: version.patch + 1 };
  }
}
