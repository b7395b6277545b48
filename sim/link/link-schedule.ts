import { z } from 'zod';
import { suggest } from '../../protocol';
import type { Scheduler } from '../scheduler';
import { LinkError, parseLinkConfig } from './link-error';
import { LinkImpairmentOverrideShape, LinkImpairmentSchema, type LinkImpairment } from './link-impairment';
import type { LinkModel } from './link-model';

export const LinkScheduleEntrySchema = z
  .object({
    link: z.string().min(1).describe('Directed link the entry changes, `from->to` (e.g. edge->cloud). Required.'),
    atS: z.number().min(0).finite().describe('When the entry takes effect, s from run start. Required.'),
    forS: z
      .number()
      .positive()
      .finite()
      .optional()
      .describe('How long it lasts, s; then each field it set returns to what was in force without it. Default: to the end of the run.'),
    ...LinkImpairmentOverrideShape,
  })
  .strict()
  .refine((entry) => !(entry.gilbertElliott && entry.loss !== undefined && entry.loss > 0), {
    path: ['loss'],
    message: 'set either loss (independent losses) or gilbertElliott (bursty losses), not both',
  })
  .describe(
    'A timeline change of one link: the impairment fields it sets override the link\'s until atS + forS. Overlapping entries stack, the one that started later (then the later in the list) winning field by field.',
  );

export type LinkScheduleEntry = z.output<typeof LinkScheduleEntrySchema>;
export type LinkScheduleEntryInput = z.input<typeof LinkScheduleEntrySchema>;

/** One set() the schedule will make. */
export interface PlannedLinkChange {
  link: string;
  /** Simulated time, ms since the epoch. */
  atMs: number;
  impairment: LinkImpairment;
}

export interface LinkSchedule {
  /** Every change, in time order. */
  readonly changes: readonly PlannedLinkChange[];
  /** Cancels the changes not yet made. */
  cancel(): void;
}

type OverrideKey = keyof typeof LinkImpairmentOverrideShape;
const OVERRIDE_KEYS = Object.keys(LinkImpairmentOverrideShape) as OverrideKey[];
const US_PER_S = 1e6;

/**
 * The changes `entries` make to links whose impairments before the run are `bases`. A link's impairment at time t
 * is its base overlaid with every entry active at t (atS ≤ t < atS + forS), in order of start (ties: list order),
 * so a later entry wins field by field and the end of a window brings back exactly what it covered. Setting `loss`
 * clears an earlier `gilbertElliott` and the other way round. `reset` fires only at its entry's start. Each
 * resulting impairment is validated here, so a bad combination fails before the run, not in the middle of it.
 */
export function planLinkChanges(entries: readonly LinkScheduleEntryInput[], bases: ReadonlyMap<string, LinkImpairment>, startMs: number): PlannedLinkChange[] {
  const parsed = parseLinkConfig(z.object({ schedule: z.array(LinkScheduleEntrySchema) }), { schedule: entries }, 'link').schedule;
  const known = [...bases.keys()];
  const byLink = new Map<string, Array<{ entry: LinkScheduleEntry; startUs: number; endUs: number }>>();
  parsed.forEach((entry, index) => {
    if (!bases.has(entry.link)) {
      const hint = suggest(entry.link, known);
      throw new LinkError(
        'E_LINK_UNKNOWN',
        `link schedule[${index}].link: no link named "${entry.link}"${hint ? ` (did you mean "${hint}"?)` : ''}; known links: ${known.join(', ') || 'none'}`,
      );
    }
    // Whole microseconds, so a window ending at 15 s and one starting at 15 s meet exactly.
    const startUs = Math.round(entry.atS * US_PER_S);
    const endUs = entry.forS === undefined ? Infinity : Math.round((entry.atS + entry.forS) * US_PER_S);
    const list = byLink.get(entry.link) ?? [];
    list.push({ entry, startUs, endUs });
    byLink.set(entry.link, list);
  });

  const changes: PlannedLinkChange[] = [];
  for (const [link, list] of byLink) {
    // Stable sort: equal starts keep list order, which is the tie-break.
    const stack = [...list].sort((a, b) => a.startUs - b.startUs);
    const times = [...new Set(stack.flatMap((s) => (s.endUs === Infinity ? [s.startUs] : [s.startUs, s.endUs])))].sort((a, b) => a - b);
    const base = { ...bases.get(link)!, reset: false };
    for (const us of times) {
      const active = stack.filter((s) => s.startUs <= us && us < s.endUs);
      const merged: Record<string, unknown> = { ...base };
      for (const { entry } of active) overlay(merged, entry);
      merged.reset = active.some((s) => s.startUs === us && s.entry.reset === true);
      const impairment = parseLinkConfig(LinkImpairmentSchema, merged, `link ${link} at ${us / US_PER_S} s (schedule)`);
      changes.push({ link, atMs: startMs + us / 1000, impairment });
    }
  }
  return changes.sort((a, b) => a.atMs - b.atMs);
}

/**
 * Plans `entries` against the models' current impairments and makes each change with `set()` at its simulated
 * time on `scheduler`. Works on any Clock: virtual for simulated runs, scaled real time for the proxy.
 */
export function scheduleLinkChanges(
  entries: readonly LinkScheduleEntryInput[],
  models: ReadonlyMap<string, LinkModel>,
  scheduler: Scheduler,
  startMs: number,
): LinkSchedule {
  const bases = new Map([...models].map(([name, model]) => [name, model.impairment] as const));
  const changes = planLinkChanges(entries, bases, startMs);
  const cancels = changes.map((change) => scheduler.at(change.atMs, (nowMs) => models.get(change.link)!.set(change.impairment, nowMs)));
  return {
    changes,
    cancel: () => cancels.forEach((cancel) => cancel()),
  };
}

function overlay(target: Record<string, unknown>, entry: LinkScheduleEntry): void {
  for (const key of OVERRIDE_KEYS) {
    const value = entry[key];
    if (value === undefined) continue;
    if (value === null) delete target[key];
    else target[key] = value;
  }
  // loss and gilbertElliott are two models of one thing: the entry that sets one replaces the other.
  if (entry.loss !== undefined && entry.gilbertElliott === undefined) delete target.gilbertElliott;
  if (entry.gilbertElliott && entry.loss === undefined) target.loss = 0;
}
