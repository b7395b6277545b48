import { TwinbedError } from '../../protocol';

/** Stable codes of {@link StoreError}. */
export type StoreErrorCode =
  /** The database file cannot be opened or configured (path, permissions, a locked or corrupt file). */
  | 'E_STORE_OPEN'
  /** The file was written by an incompatible version of the store. */
  | 'E_STORE_SCHEMA'
  /** A write failed (disk full, I/O error): nothing of that call was applied. */
  | 'E_STORE_WRITE'
  /** The store was used after `close()`. */
  | 'E_STORE_CLOSED';

/** A failure of the gateway's durable store; the message names the file and what to do next. */
export class StoreError extends TwinbedError {
  declare readonly code: StoreErrorCode;
  readonly file: string;

  constructor(code: StoreErrorCode, file: string, message: string, options?: { cause?: unknown }) {
    super(code, `${file}: ${message}`, options);
    this.file = file;
  }
}

/** The upstream broker (or the client library, while connected) refused a message; it will not be retried. */
export class UplinkRejectedError extends TwinbedError {
  readonly topic: string;

  constructor(topic: string, reason: string, options?: { cause?: unknown }) {
    super('E_UPLINK_REJECTED', `upstream refused a message on ${topic}: ${reason}; the row was dropped, check the upstream ACL and topic`, options);
    this.topic = topic;
  }
}
