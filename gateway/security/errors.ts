import { TwinbedError } from '../../protocol';

/** CONNACK return codes the policy uses (MQTT 3.1.1 §3.2.2.3, Table 3.1). */
export const CONNACK = {
  IDENTIFIER_REJECTED: 2,
  BAD_USERNAME_OR_PASSWORD: 4,
  NOT_AUTHORIZED: 5,
} as const;

export type ConnackRefusal = (typeof CONNACK)[keyof typeof CONNACK];

const AUTH_CODES: Record<ConnackRefusal, string> = { 2: 'E_AUTH_CLIENT_ID', 4: 'E_AUTH_CREDENTIALS', 5: 'E_AUTH_NOT_AUTHORIZED' };

/**
 * A refused MQTT CONNECT. aedes reads `returnCode` for the CONNACK; the message stays on the broker side (the
 * protocol has no field for it) and says what the operator should check.
 */
export class AuthError extends TwinbedError {
  readonly returnCode: ConnackRefusal;

  constructor(returnCode: ConnackRefusal, message: string) {
    super(AUTH_CODES[returnCode], message);
    this.returnCode = returnCode;
  }
}

/** A publish or subscribe the topic ACL refused; aedes closes the connection on a refused publish. */
export class AclError extends TwinbedError {
  constructor(message: string) {
    super('E_ACL', message);
  }
}

export type IntegrityCode = 'E_BAD_MAC' | 'E_REPLAY' | 'E_UNKNOWN_DEVICE' | 'E_UNSIGNED' | 'E_DEVICE_MISMATCH';

/** A device message that failed integrity checks; the gateway dead-letters it with `message` as the reason. */
export class IntegrityError extends TwinbedError {
  declare readonly code: IntegrityCode;

  constructor(code: IntegrityCode, message: string) {
    super(code, message);
  }
}

/** A certificate, key or registry operation that cannot go ahead (e.g. a CA without its key). */
export class SecurityError extends TwinbedError {
  constructor(message: string, options?: { cause?: unknown }) {
    super('E_SECURITY', message, options);
  }
}
