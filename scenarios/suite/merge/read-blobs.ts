import { readdir, readFile, stat } from 'node:fs/promises';
import path from 'node:path';
import { z } from 'zod';
import { TwinbedError } from '../../../protocol';
import { BLOB_KIND, BLOB_VERSION, type BlobReport } from '../reporters/blob-reporter';

/** Blob files that cannot be merged: none found, unreadable, of another version, or overlapping. Exit 2. */
export class MergeError extends TwinbedError {
  constructor(message: string) {
    super('E_MERGE', message);
  }
}

const STATUSES = ['passed', 'failed', 'flaky', 'timedOut', 'errored', 'interrupted'] as const;

// The parts merging and every reporter rely on; the run reports inside attempts pass through as written.
const TestSchema = z.looseObject({ id: z.string(), file: z.string(), title: z.string(), line: z.number(), seed: z.union([z.string(), z.number()]), repeatIndex: z.number() });
const BlobSchema = z.looseObject({
  kind: z.literal(BLOB_KIND),
  version: z.literal(BLOB_VERSION),
  config: z.looseObject({ outputDir: z.string(), failOnFlaky: z.boolean(), shard: z.object({ current: z.number(), total: z.number() }).optional() }),
  tests: z.array(TestSchema),
  results: z.array(z.looseObject({ test: TestSchema, status: z.enum(STATUSES), attempts: z.array(z.looseObject({ retry: z.number(), status: z.string(), durationMs: z.number() })) })),
  summary: z.looseObject({ status: z.string(), durationMs: z.number() }),
});

export interface BlobFile {
  file: string;
  blob: BlobReport;
}

/** Every `*.blob.json` in these folders (searched recursively) or named outright, each checked. */
export async function readBlobFiles(paths: readonly string[]): Promise<BlobFile[]> {
  const files: string[] = [];
  for (const p of paths) {
    const info = await stat(p).catch(() => undefined);
    if (!info) throw new MergeError(`${p}: no such file or folder`);
    const found = info.isDirectory() ? await findBlobs(p) : [p];
    if (!found.length) throw new MergeError(`${p}: no *.blob.json files (write them with twinbed test --reporter blob)`);
    files.push(...found);
  }
  const out: BlobFile[] = [];
  for (const file of [...new Set(files)].sort()) {
    let data: unknown;
    try {
      data = JSON.parse(await readFile(file, 'utf8'));
    } catch (error) {
      throw new MergeError(`${file}: not a blob report (${(error as Error).message})`);
    }
    const parsed = BlobSchema.safeParse(data);
    if (!parsed.success) {
      const issue = parsed.error.issues[0]!;
      throw new MergeError(`${file}: not a twinbed blob report of version ${BLOB_VERSION} (${issue.path.join('.') || 'top level'}: ${issue.message})`);
    }
    out.push({ file, blob: parsed.data as unknown as BlobReport });
  }
  return out;
}

async function findBlobs(dir: string): Promise<string[]> {
  const out: string[] = [];
  for (const entry of await readdir(dir, { withFileTypes: true })) {
    const full = path.join(dir, entry.name);
    if (entry.isDirectory()) out.push(...(await findBlobs(full)));
    else if (entry.name.endsWith('.blob.json')) out.push(full);
  }
  return out;
}
