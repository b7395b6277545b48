import { z } from 'zod';

/** What the outbox does with a message that does not fit under its bounds. */
export const DropPolicySchema = z
  .enum(['drop-lowest-priority-oldest', 'reject-new'])
  .describe(
    'When the outbox is full: `drop-lowest-priority-oldest` evicts queued rows of the same or lower priority, raw first, ' +
      'then features, oldest first, and events only to make room for an event; a message it cannot make room for is ' +
      'rejected. `reject-new` keeps what is queued and rejects the newcomer. Default `drop-lowest-priority-oldest`.',
  );
export type DropPolicy = z.infer<typeof DropPolicySchema>;

export const SynchronousSchema = z
  .enum(['normal', 'full'])
  .describe(
    'SQLite `synchronous` in WAL mode. `normal` survives a killed process (a commit is in the OS page cache when the ' +
      'call returns) but a power cut may lose the last commits; `full` fsyncs every commit and survives both, at a ' +
      'few hundred to a few thousand commits per second on flash. Default `normal`.',
  );
export type Synchronous = z.infer<typeof SynchronousSchema>;

export const OutboxBoundsSchema = z
  .object({
    maxBytes: z
      .number()
      .int()
      .positive()
      .default(256 * 1024 * 1024)
      .describe('Bound on the payload bytes queued for the uplink, in bytes. Default 268435456 (256 MiB).'),
    maxMessages: z.number().int().positive().optional().describe('Bound on the rows queued for the uplink. Default: none.'),
    dropPolicy: DropPolicySchema.default('drop-lowest-priority-oldest'),
  })
  .strict();

export const InboxBoundsSchema = z
  .object({
    maxPendingRows: z
      .number()
      .int()
      .positive()
      .default(65_536)
      .describe('Device payloads accepted and not yet processed, at most. Default 65536.'),
    maxPendingBytes: z
      .number()
      .int()
      .positive()
      .default(256 * 1024 * 1024)
      .describe('Payload bytes accepted and not yet processed, at most. Default 268435456 (256 MiB).'),
  })
  .strict()
  .describe(
    'Backpressure: when the payloads not yet processed reach a bound, the gateway stops acknowledging device publishes ' +
      '(the PUBACK waits, and the broker stops reading that connection) until processing has drained them to 3/4 of ' +
      'the bound; QoS 1 devices queue or drop by their own policy meanwhile. Rows that only wait for their window to ' +
      'close do not count.',
  );

export const ForwarderConfigSchema = z
  .object({
    maxInFlight: z
      .number()
      .int()
      .min(1)
      .max(65_535)
      .default(64)
      .describe('Messages written upstream and not yet acknowledged, at most. Default 64.'),
    pageSize: z.number().int().min(1).max(10_000).default(256).describe('Rows read from the outbox per query, at most. Default 256.'),
  })
  .strict()
  .prefault({});

/** The `store:` section of the gateway config: offline-first store-and-forward. */
export const StoreConfigSchema = z
  .object({
    path: z
      .string()
      .min(1)
      .default(':memory:')
      .describe('SQLite file holding the inbox and the outbox, created if missing, relative to the gateway config. Default `:memory:` (nothing survives a restart).'),
    synchronous: SynchronousSchema.default('normal'),
    outbox: OutboxBoundsSchema.prefault({}).describe('Bounds of the uplink queue and what happens when it is full.'),
    inbox: InboxBoundsSchema.prefault({}),
    commitMaxRows: z.number().int().min(1).max(100_000).default(512).describe('Inbox rows handed over per transaction, at most. Default 512.'),
    forwarder: ForwarderConfigSchema.describe('Sending the outbox upstream.'),
  })
  .strict();

export type StoreConfig = z.output<typeof StoreConfigSchema>;
export type StoreConfigInput = z.input<typeof StoreConfigSchema>;
export type OutboxBounds = z.output<typeof OutboxBoundsSchema>;
export type InboxBounds = z.output<typeof InboxBoundsSchema>;
export type ForwarderConfig = z.output<typeof ForwarderConfigSchema>;
