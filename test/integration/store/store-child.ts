// Child process for the SIGKILL test: a gateway's store path and nothing else. Run with
//   node --import tsx store-child.ts <db file> <first seq> <payload bytes> <commit every> <normal|full>
// It first hands over whatever a killed predecessor left in the inbox, then accepts readings as fast as it can,
// printing "acked <seq>" only after acceptInbox returned (the moment a gateway would let aedes send the PUBACK), and
// hands every `commit every` rows over to the outbox in one commit. It runs until it is killed.
import { DurableStore, PRIORITY, type InboxRow, type OutboxInput } from '../../../gateway/store/index';

const [file, firstSeqArg, payloadArg, commitArg, synchronousArg] = process.argv.slice(2);
if (!file || !firstSeqArg || !payloadArg || !commitArg || (synchronousArg !== 'normal' && synchronousArg !== 'full')) {
  throw new Error('usage: store-child.ts <db file> <first seq> <payload bytes> <commit every> <normal|full>');
}
const commitEvery = Number(commitArg);
const payloadBytes = Number(payloadArg);
// A child process is an edge of the system: wall time is the clock.
const store = DurableStore.open({ path: file, synchronous: synchronousArg, clock: { now: () => Date.now() } });

const features = (row: Pick<InboxRow, 'seq'>): OutboxInput => ({
  priority: PRIORITY.features,
  topic: 'twinbed/site-1/pump-1/accel/features',
  payload: Buffer.from(JSON.stringify({ seq: row.seq })),
  qos: 1,
  key: { device: 'pump-1', sensor: 'accel', seq: row.seq! },
});

// Restart path: what was accepted but not handed over goes to the outbox first, as the gateway's InboxPump does.
let replayed = 0;
let batch: InboxRow[] = [];
const handOver = () => {
  store.commit({ release: batch.map((r) => r.id), enqueue: batch.map(features) });
  replayed += batch.length;
  batch = [];
};
for (const row of store.pendingInbox()) {
  batch.push(row);
  if (batch.length === commitEvery) handOver();
}
if (batch.length > 0) handOver();
process.stdout.write(`replayed ${replayed}\n`);

let seq = Number(firstSeqArg);
const pending: Array<{ id: number; seq: number }> = [];
const burst = () => {
  for (let i = 0; i < 100; i++) {
    const payload = Buffer.alloc(payloadBytes, seq & 0xff);
    const id = store.acceptInbox({ device: 'pump-1', sensor: 'accel', seq, topic: 'twinbed/site-1/pump-1/accel/telemetry', payload, qos: 1 });
    // stdout is a pipe, which Node writes synchronously on Linux: once the parent reads this line, the row is in.
    process.stdout.write(`acked ${seq}\n`);
    pending.push({ id, seq });
    seq++;
    if (pending.length === commitEvery) {
      const rows = pending.splice(0);
      store.commit({ release: rows.map((r) => r.id), enqueue: rows.map(features) });
      process.stdout.write(`committed ${rows[0]!.seq}..${rows[rows.length - 1]!.seq}\n`);
    }
  }
  setImmediate(burst);
};
burst();
