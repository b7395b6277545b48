import { TwinbedError } from '../../protocol';

/** A device or gateway the registry has never heard from. */
export class UnknownDeviceError extends TwinbedError {
  readonly device: string;

  constructor(device: string) {
    super('E_UNKNOWN_DEVICE', `no device or gateway "${device}" in the registry; list the known ones with GET /api/registry`);
    this.device = device;
  }
}

/** A desired-state change made against a shadow version that is no longer current (optimistic concurrency). */
export class ShadowConflictError extends TwinbedError {
  readonly device: string;
  readonly expectedVersion: number;
  readonly actualVersion: number;

  constructor(device: string, expectedVersion: number, actualVersion: number) {
    super(
      'E_SHADOW_CONFLICT',
      `the shadow of ${device} is at version ${actualVersion}, not ${expectedVersion}: it changed since you read it; read it again and re-apply your change`,
    );
    this.device = device;
    this.expectedVersion = expectedVersion;
    this.actualVersion = actualVersion;
  }
}

/** A desired-state patch the device cannot act on. */
export class ShadowPatchError extends TwinbedError {
  readonly device: string;
  /** Dotted path of the offending key, e.g. `desired.speedRpm`. */
  readonly field: string;

  constructor(device: string, field: string, reason: string) {
    super('E_SHADOW_PATCH', `${field}: ${reason}`);
    this.device = device;
    this.field = field;
  }
}
