import { formatFieldPath, TwinbedError } from '../../protocol';
import type { z } from 'zod';

/** Stable codes of the link model's errors. */
export type LinkErrorCode =
  /** An impairment, a schedule entry or a channel option does not validate. */
  | 'E_LINK_CONFIG'
  /** A schedule entry names a link that has no model. */
  | 'E_LINK_UNKNOWN'
  /** transmit() got a packet size or a time that is not a finite number. */
  | 'E_LINK_PACKET';

/** A misuse of the link model; the message says what to change. */
export class LinkError extends TwinbedError {
  declare readonly code: LinkErrorCode;

  constructor(code: LinkErrorCode, message: string) {
    super(code, message);
  }
}

/** Parses `value` with `schema`, or throws E_LINK_CONFIG naming `where` and every wrong field (`link edge->cloud jitter.sdMs: …`). */
export function parseLinkConfig<S extends z.ZodType>(schema: S, value: unknown, where: string): z.output<S> {
  const result = schema.safeParse(value);
  if (result.success) return result.data;
  const lines = result.error.issues.map((issue) => {
    const path = formatFieldPath(issue.path);
    return path ? `${where} ${path}: ${issue.message}` : `${where}: ${issue.message}`;
  });
  throw new LinkError('E_LINK_CONFIG', lines.join('\n'));
}
