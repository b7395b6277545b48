import { open } from 'node:fs/promises';
import { ConfigError } from '../protocol';
import { readScenario, storeFromRecording, type Scenario } from '../scenarios';

/** What `demo --replay FILE` opens: a finished run's SQLite store, or an MCAP recording. */
export type ReplayFileKind = 'sqlite' | 'mcap';

// Read by their magic bytes, not by name: a recording may be called anything.
/** MCAP spec, "Magic": 0x89 M C A P 0 \r \n (the 0 is the major version). */
const MCAP_MAGIC = Buffer.from([0x89, 0x4d, 0x43, 0x41, 0x50, 0x30, 0x0d, 0x0a]);
/** SQLite file format §1.3.1: the header string "SQLite format 3\0". */
const SQLITE_MAGIC = Buffer.from('SQLite format 3\0', 'latin1');

const ACCEPTED = 'a finished run\'s SQLite store (`twinbed run SCENARIO --store FILE`) or an MCAP recording (`twinbed run SCENARIO --record DIR`, `twinbed record`)';

/** The kind of `file` by its first bytes; a ConfigError naming the file and the two kinds it may be otherwise. */
export async function replayFileKind(file: string): Promise<ReplayFileKind> {
  let head: Buffer;
  try {
    const handle = await open(file, 'r');
    try {
      head = Buffer.alloc(SQLITE_MAGIC.length);
      head = head.subarray(0, (await handle.read(head, 0, head.length, 0)).bytesRead);
    } finally {
      await handle.close();
    }
  } catch (error) {
    const code = (error as NodeJS.ErrnoException).code;
    const why = code === 'ENOENT' ? 'no such file' : `cannot read it (${code ?? (error as Error).message})`;
    throw new ConfigError(file, [{ path: '', message: `${why}; --replay takes ${ACCEPTED}` }]);
  }
  if (startsWith(head, MCAP_MAGIC)) return 'mcap';
  if (startsWith(head, SQLITE_MAGIC)) return 'sqlite';
  throw new ConfigError(file, [{ path: '', message: `neither a SQLite store nor an MCAP recording (by its first bytes); --replay takes ${ACCEPTED}` }]);
}

function startsWith(head: Buffer, magic: Buffer): boolean {
  return head.length >= magic.length && head.subarray(0, magic.length).equals(magic);
}

/** The store the page serves and the hall it draws. */
export interface ReplaySource {
  /** The SQLite store: the file given, or one built from the recording in a temporary folder. */
  store: string;
  scenario: Scenario | undefined;
  /** Deletes what was built for the replay (nothing for a store given). */
  remove(): Promise<void>;
}

/**
 * Opens `--replay FILE`: a run's store as it is, or a recording made into one (feature windows and edge events through
 * a cloud, or its readings through the embedded gateway first). The hall is `--scenario`'s, else the one recorded.
 */
export async function openReplaySource(file: string, scenarioFile: string | undefined, say: (line: string) => void): Promise<ReplaySource> {
  const kind = await replayFileKind(file);
  const given = scenarioFile ? { ...(await readScenario(scenarioFile)), file: scenarioFile } : undefined;
  if (kind === 'sqlite') return { store: file, scenario: given?.scenario, remove: () => Promise.resolve() };
  say(`twinbed demo: building a store from the recording ${file}…`);
  const built = await storeFromRecording(file, given ? { scenario: given } : {});
  const how = built.from === 'features' ? `${built.published} recorded windows and edge events through a cloud` : `${built.published} recorded readings through the embedded gateway and cloud`;
  say(`twinbed demo: ${built.counts.features} feature windows and ${built.counts.alerts} alert events stored from ${how}, in ${(built.wallMs / 1000).toFixed(1)} s`);
  return { store: built.file, scenario: built.scenario, remove: built.remove };
}
