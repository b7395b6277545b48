import { z } from 'zod';
import { LinkImpairmentSchema, LinkScheduleEntrySchema, NO_IMPAIRMENT, type LinkImpairment } from '../link/index';

/**
 * The impairments file of `twinbed proxy --config`: what each direction starts with, and optionally a timeline.
 * Directions are the proxy's links: `up` (client → broker) and `down` (broker → client).
 */
export const ProxyImpairmentsFileSchema = z
  .object({
    both: LinkImpairmentSchema.optional().describe('Impairment of both directions at start, where up or down does not give its own. Default none.'),
    up: LinkImpairmentSchema.optional().describe('Impairment of client → broker at start. Default: both, else none.'),
    down: LinkImpairmentSchema.optional().describe('Impairment of broker → client at start. Default: both, else none.'),
    schedule: z
      .array(LinkScheduleEntrySchema)
      .default([])
      .describe('Timeline changes: `link` is up or down, `atS` counts from the proxy\'s start. Default none.'),
  })
  .strict()
  .describe('Impairments of an MQTT proxy: link model fields (latencyMs, loss, jitter, partition, …) per direction.');

export type ProxyImpairmentsFile = z.output<typeof ProxyImpairmentsFileSchema>;

/** The starting impairment of each direction: its own, else `both`, else none. */
export function startingImpairments(file: ProxyImpairmentsFile): { up: LinkImpairment; down: LinkImpairment } {
  return { up: file.up ?? file.both ?? NO_IMPAIRMENT, down: file.down ?? file.both ?? NO_IMPAIRMENT };
}
