// Child process for the SIGKILL test. Run with
//   node --import tsx ingest-child.ts <db file> <first round> <block|stream>
// It ingests one round after another, printing "committed <round>" only after ingest resolved: the moment the cloud
// would send the gateway its PUBACKs. `block`: after three rounds and one single write of each port, it stops its
// event loop for good, so a storage that resolved before committing never gets the turn it needs to commit.
// `stream`: it goes on until it is killed.
import { writeSync } from 'node:fs';
import { SqliteStorage } from '../../../cloud/index';
import { roundBatch } from './ingest-rounds';

const [file, firstArg, mode] = process.argv.slice(2);
if (!file || !firstArg || (mode !== 'block' && mode !== 'stream')) throw new Error('usage: ingest-child.ts <db file> <first round> <block|stream>');
const storage = new SqliteStorage(file);
// Written synchronously: a line on stdout must mean the promise resolved, even if the loop never turns again.
const say = (line: string) => writeSync(1, `${line}\n`);

let round = Number(firstArg);
if (mode === 'block') {
  for (const end = round + 3; round < end; round++) {
    await storage.ingest(roundBatch(round));
    say(`committed ${round}`);
  }
  await storage.saveState('child', { round });
  await storage.putModel({ version: '1.0.0', sha256: '00', signature: 'AA==', keyId: 'k', createdMs: 0, trainedOn: 'child', manifest: {}, bytes: new Uint8Array([1]) });
  await storage.upsertDevice({ id: 'pump-1', kind: 'device', site: 'site-1', online: true, lastSeenMs: 0, sensors: ['accel'] });
  say('singles committed');
  Atomics.wait(new Int32Array(new SharedArrayBuffer(4)), 0, 0);
}
for (;;) {
  await storage.ingest(roundBatch(round));
  say(`committed ${round++}`);
}
