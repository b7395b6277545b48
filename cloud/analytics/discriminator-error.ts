import type { z } from 'zod';
import { suggest } from '../../protocol';

/**
 * Error map for a discriminated union on `type`: zod's own "No matching discriminator" names neither the value nor
 * the fix, so say which type was given, the nearest known one, and the full list.
 */
export function unknownTypeError(what: string, known: readonly string[]): z.core.$ZodErrorMap {
  return (issue) => {
    if (issue.code !== 'invalid_union' || !('discriminator' in issue) || issue.discriminator !== 'type') return undefined;
    const given = (issue.input as { type?: unknown } | undefined)?.type;
    const hint = typeof given === 'string' ? suggest(given, known) : undefined;
    const shown = typeof given === 'string' ? `"${given}"` : String(given);
    return `unknown ${what} type ${shown}${hint ? ` (did you mean "${hint}"?)` : ''}; use one of: ${known.join(', ')}`;
  };
}
