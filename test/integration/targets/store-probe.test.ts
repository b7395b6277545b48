// One conformance suite for every kind of store probe, over real stores: a SQLite file another connection
// writes in WAL mode, a PostgreSQL server of our own, and an HTTP server answering JSON. Then what only one
// kind can get wrong: SQL errors, an unreachable server, JSON paths, a writer in another process.
import { existsSync } from 'node:fs';
import { mkdtemp, rm } from 'node:fs/promises';
import http from 'node:http';
import net, { type AddressInfo } from 'node:net';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import Database from 'better-sqlite3';
import pg from 'pg';
import { afterAll, afterEach, beforeAll, beforeEach, describe, expect, it } from 'vitest';
import { z } from 'zod';
import { openStoreProbe, StoreProbeError, StoreQuerySchema, type StoreProbe, type StoreQuery } from '../../../scenarios/target/store-probe';
import { startPostgres, type Postgres } from '../../support/postgres';
import { spawnCommand } from '../../support/twinbed-process';

/** One reading as the SUT stores it: a row per message received, duplicates included. */
interface Reading {
  device: string;
  sensor: string;
  seq: number;
}
type Row = Record<string, string | number | null>;

/** A store of one kind, fresh for each test, and how to point a probe at it. */
interface StoreFixture {
  /** The folder relative SQLite paths start from. */
  baseDir: string;
  /** Stores readings the way the SUT would. */
  store(readings: readonly Reading[]): Promise<void>;
  /** A probe config that counts the stored readings per (device, sensor). */
  counting(): StoreQuery;
  /** A probe config whose answer is exactly `rows`: a literal SELECT, or JSON served as is. */
  answering(rows: readonly Row[]): StoreQuery;
  close(): Promise<void>;
}

const readingsOf = (device: string, sensor: string, seqs: readonly number[]): Reading[] => seqs.map((seq) => ({ device, sensor, seq }));

async function rejection(promise: Promise<unknown>): Promise<StoreProbeError> {
  const error = await promise.then(
    () => undefined,
    (reason: unknown) => reason,
  );
  expect(error).toBeInstanceOf(StoreProbeError);
  return error as StoreProbeError;
}

function storeProbeConformance(kind: StoreQuery['kind'], fixture: () => Promise<StoreFixture>): void {
  describe(`${kind} store probe conformance`, () => {
    let store: StoreFixture;
    const probes: StoreProbe[] = [];
    const open = async (config: StoreQuery) => {
      const probe = await openStoreProbe(StoreQuerySchema.parse(config), store.baseDir);
      probes.push(probe);
      return probe;
    };
    beforeEach(async () => {
      store = await fixture();
    });
    afterEach(async () => {
      for (const probe of probes.splice(0)) await probe.close();
      await store.close();
    });

    it('counts rows, distinct seqs and the seq range per (device, sensor), duplicates and gaps included, ordered by device and sensor', async () => {
      await store.store([
        ...readingsOf('pump-1', 'accel', [0, 1, 2, 2, 3, 4]),
        ...readingsOf('pump-1', 'winding-temp', [10, 12, 11]),
        ...readingsOf('fan-1', 'accel', [7, 7, 7]),
      ]);
      const probe = await open(store.counting());
      expect(await probe.counts()).toEqual([
        { device: 'fan-1', sensor: 'accel', count: 3, distinct: 1, minSeq: 7, maxSeq: 7 },
        { device: 'pump-1', sensor: 'accel', count: 6, distinct: 5, minSeq: 0, maxSeq: 4 },
        { device: 'pump-1', sensor: 'winding-temp', count: 3, distinct: 3, minSeq: 10, maxSeq: 12 },
      ]);
    });

    it('reads the store afresh on every call, seeing what the SUT wrote after the probe opened', async () => {
      const probe = await open(store.counting());
      expect(await probe.counts()).toEqual([]);
      await store.store(readingsOf('pump-1', 'accel', [0, 1]));
      expect(await probe.counts()).toEqual([{ device: 'pump-1', sensor: 'accel', count: 2, distinct: 2, minSeq: 0, maxSeq: 1 }]);
      await store.store(readingsOf('pump-1', 'accel', [1, 2]));
      expect(await probe.counts()).toEqual([{ device: 'pump-1', sensor: 'accel', count: 4, distinct: 3, minSeq: 0, maxSeq: 2 }]);
    });

    it('coerces counts and seqs that come back as numeric strings, and takes camelCase minSeq/maxSeq', async () => {
      const probe = await open(store.answering([{ device: 'pump-1', sensor: 'accel', count: '9007199254740991', distinct: '3', minSeq: '0', maxSeq: ' 41 ' }]));
      expect(await probe.counts()).toEqual([{ device: 'pump-1', sensor: 'accel', count: Number.MAX_SAFE_INTEGER, distinct: 3, minSeq: 0, maxSeq: 41 }]);
    });

    it('leaves out the optional columns that are absent or NULL', async () => {
      const probe = await open(
        store.answering([
          { device: 'pump-2', sensor: 'accel', count: 0, min_seq: 3 },
          { device: 'pump-1', sensor: 'accel', count: 5, min_seq: null },
        ]),
      );
      expect(await probe.counts()).toEqual([
        { device: 'pump-1', sensor: 'accel', count: 5 },
        { device: 'pump-2', sensor: 'accel', count: 0, minSeq: 3 },
      ]);
    });

    it('rejects a count that is not a whole number with a typed error naming the row and the value', async () => {
      for (const [count, shown] of [['seven', '"seven"'], ['-1', '"-1"'], ['2.5', '"2.5"']] as const) {
        const probe = await open(store.answering([{ device: 'pump-1', sensor: 'accel', count: '1' }, { device: 'pump-2', sensor: 'accel', count }]));
        const error = await rejection(probe.counts());
        expect(error.code).toBe('E_STORE_PROBE_ROWS');
        expect(error.kind).toBe(kind);
        expect(error.message).toMatch(new RegExp(`^${kind} store probe on .+: row 1 of .+: count is ${shown.replace('.', '\\.')}, expected a whole number ≥ 0$`));
      }
    });

    it('names the columns present and the ones needed when a required column is missing', async () => {
      const probe = await open(store.answering([{ device: 'pump-1', n: 3 }]));
      const error = await rejection(probe.counts());
      expect(error.code).toBe('E_STORE_PROBE_ROWS');
      expect(error.message).toMatch(/ (returns the columns|has the fields) device, n, without sensor, count; it needs device, sensor, count \(optional: distinct, min_seq, max_seq\): /);
    });

    it('rejects a (device, sensor) that comes back twice: the query is not grouped', async () => {
      const probe = await open(store.answering([{ device: 'pump-1', sensor: 'accel', count: 1 }, { device: 'pump-1', sensor: 'accel', count: 1 }]));
      const error = await rejection(probe.counts());
      expect(error.message).toMatch(/: rows 0 and 1 of .+ are both \(pump-1, accel\); it needs one row per device and sensor: group by device, sensor$/);
    });

    it('refuses to count after close, and closes twice without error', async () => {
      const probe = await open(store.counting());
      await probe.close();
      await probe.close();
      const error = await rejection(probe.counts());
      expect(error.code).toBe('E_STORE_PROBE_CLOSED');
    });
  });
}

// --- SQLite: a file the SUT writes through its own connection in WAL mode ---------------------------------

const COUNTING_SQL =
  'SELECT device, sensor, count(*) AS count, count(DISTINCT seq) AS "distinct", min(seq) AS min_seq, max(seq) AS max_seq FROM readings GROUP BY device, sensor';

function literal(value: string | number | null): string {
  if (value === null) return 'NULL';
  return typeof value === 'number' ? String(value) : `'${value.replaceAll("'", "''")}'`;
}

/** `SELECT 'pump-1' AS "device", … UNION ALL SELECT …`: an answer of exactly these rows, in SQLite and PostgreSQL. */
function selectLiteral(rows: readonly Row[]): string {
  return rows.map((row) => `SELECT ${Object.entries(row).map(([name, value]) => `${literal(value)} AS "${name}"`).join(', ')}`).join(' UNION ALL ');
}

async function sqliteFixture(): Promise<StoreFixture> {
  const dir = await mkdtemp(join(tmpdir(), 'twinbed-store-probe-'));
  const writer = new Database(join(dir, 'sut.db'));
  writer.pragma('journal_mode = WAL');
  writer.exec('CREATE TABLE readings (device TEXT NOT NULL, sensor TEXT NOT NULL, seq INTEGER NOT NULL)');
  const insert = writer.prepare('INSERT INTO readings (device, sensor, seq) VALUES (?, ?, ?)');
  const insertAll = writer.transaction((readings: readonly Reading[]) => {
    for (const r of readings) insert.run(r.device, r.sensor, r.seq);
  });
  return {
    baseDir: dir,
    store: async (readings) => void insertAll(readings),
    counting: () => ({ kind: 'sqlite', path: 'sut.db', query: COUNTING_SQL }),
    answering: (rows) => ({ kind: 'sqlite', path: 'sut.db', query: selectLiteral(rows) }),
    close: async () => {
      writer.close();
      await rm(dir, { recursive: true, force: true });
    },
  };
}

storeProbeConformance('sqlite', sqliteFixture);

describe('sqlite store probe', () => {
  let store: StoreFixture;
  beforeEach(async () => {
    store = await sqliteFixture();
  });
  afterEach(() => store.close());

  it('fails at open, naming the absolute path, when the file does not exist, and does not create it', async () => {
    const error = await rejection(openStoreProbe({ kind: 'sqlite', path: 'missing/sut.db', query: COUNTING_SQL }, store.baseDir));
    expect(error.code).toBe('E_STORE_PROBE_UNREACHABLE');
    expect(error.message).toMatch(/^sqlite store probe on \/.+\/missing\/sut\.db: cannot open the file read-only \(.+\); check `path` \(relative to the target file's folder\)/);
    expect(existsSync(join(store.baseDir, 'missing'))).toBe(false);
  });

  it('reports bad SQL and a missing table as query errors that say to fix the query', async () => {
    const probe = await openStoreProbe({ kind: 'sqlite', path: 'sut.db', query: 'SELEC device FROM readings' }, store.baseDir);
    expect((await rejection(probe.counts())).message).toMatch(/^sqlite store probe on \/.+\/sut\.db: the query fails: near "SELEC": syntax error; fix `query`$/);
    await probe.close();
    const noTable = await openStoreProbe({ kind: 'sqlite', path: 'sut.db', query: 'SELECT * FROM stored' }, store.baseDir);
    const error = await rejection(noTable.counts());
    expect([error.code, error.message]).toEqual(['E_STORE_PROBE_QUERY', expect.stringContaining('no such table: stored')]);
    await noTable.close();
  });

  it('never writes: a DELETE, even one that returns rows, is refused and the rows stay', async () => {
    await store.store(readingsOf('pump-1', 'accel', [0, 1]));
    const probe = await openStoreProbe({ kind: 'sqlite', path: 'sut.db', query: 'DELETE FROM readings' }, store.baseDir);
    expect((await rejection(probe.counts())).message).toContain('the query returns no rows; `query` must be a SELECT');
    const returning = await openStoreProbe({ kind: 'sqlite', path: 'sut.db', query: 'DELETE FROM readings RETURNING device, sensor, 1 AS count' }, store.baseDir);
    expect((await rejection(returning.counts())).message).toContain('the query fails: attempt to write a readonly database; fix `query`');
    const counting = await openStoreProbe(store.counting(), store.baseDir);
    expect((await counting.counts())[0]?.count).toBe(2);
    await Promise.all([probe.close(), returning.close(), counting.close()]);
  });

  it('names the columns even when the query returns no row', async () => {
    const probe = await openStoreProbe({ kind: 'sqlite', path: 'sut.db', query: 'SELECT device, sensor FROM readings' }, store.baseDir);
    expect((await rejection(probe.counts())).message).toBe(
      `sqlite store probe on ${join(store.baseDir, 'sut.db')}: the query returns the columns device, sensor, without count; it needs device, sensor, count (optional: distinct, min_seq, max_seq): alias them in \`query\`, e.g. SELECT device, sensor, count(*) AS count … GROUP BY device, sensor`,
    );
    await probe.close();
  });

  it('reads committed transactions while another process keeps writing in WAL mode, never a half-written one', async () => {
    // The SUT: its own process and connection, a transaction of 10 rows per `begin` … `commit` on stdin.
    const writer = spawnCommand(process.execPath, [
      '-e',
      `const db = new (require('better-sqlite3'))(process.argv[1]);
       db.pragma('journal_mode = WAL');
       const insert = db.prepare("INSERT INTO readings VALUES ('pump-1', 'accel', ?)");
       let seq = 0;
       console.log('ready');
       require('node:readline').createInterface({ input: process.stdin }).on('line', (line) => {
         if (line === 'begin') { db.exec('BEGIN'); for (let i = 0; i < 10; i++) insert.run(seq++); console.log('pending ' + seq); }
         if (line === 'commit') { db.exec('COMMIT'); console.log('committed ' + seq); }
       });`,
      join(store.baseDir, 'sut.db'),
    ]);
    try {
      await writer.waitFor(/^ready$/m);
      const probe = await openStoreProbe(store.counting(), store.baseDir);
      for (let batch = 1; batch <= 3; batch++) {
        writer.child.stdin.write('begin\n');
        await writer.waitFor(new RegExp(`^pending ${batch * 10}$`, 'm'));
        expect(await probe.counts()).toEqual(batch === 1 ? [] : [{ device: 'pump-1', sensor: 'accel', count: (batch - 1) * 10, distinct: (batch - 1) * 10, minSeq: 0, maxSeq: (batch - 1) * 10 - 1 }]);
        writer.child.stdin.write('commit\n');
        await writer.waitFor(new RegExp(`^committed ${batch * 10}$`, 'm'));
        expect(await probe.counts()).toEqual([{ device: 'pump-1', sensor: 'accel', count: batch * 10, distinct: batch * 10, minSeq: 0, maxSeq: batch * 10 - 1 }]);
      }
      await probe.close();
    } finally {
      await writer.stop();
    }
  });
});

// --- PostgreSQL: a server of our own, a table per test --------------------------------------------------

describe('postgres', () => {
  let server: Postgres;
  let admin: pg.Pool;
  let tables = 0;
  // With trust authentication the password is never asked for, but the probe must still keep it out of messages.
  const withPassword = (url: string) => url.replace('//postgres@', '//postgres:s3cret@');

  beforeAll(async () => {
    server = await startPostgres();
    admin = new pg.Pool({ connectionString: server.url, max: 2 });
    // A connection the pool is ending can still get the server's shutdown notice (57P01) under load; it is expected
    // then, and must not surface as an unhandled error after the tests passed.
    admin.on('connect', (client) => client.on('error', () => undefined));
  });
  afterAll(async () => {
    await admin?.end();
    await server?.close();
  });

  async function postgresFixture(): Promise<StoreFixture> {
    const table = `readings_${++tables}`;
    await admin.query(`CREATE TABLE ${table} (device text NOT NULL, sensor text NOT NULL, seq bigint NOT NULL)`);
    return {
      baseDir: tmpdir(),
      store: async (readings) => {
        // One multi-row INSERT, as a SUT batching its writes would.
        const values = readings.map((_, i) => `($${3 * i + 1}, $${3 * i + 2}, $${3 * i + 3})`).join(', ');
        await admin.query(`INSERT INTO ${table} (device, sensor, seq) VALUES ${values}`, readings.flatMap((r) => [r.device, r.sensor, r.seq]));
      },
      // count(*) and min/max of a bigint come back as strings from pg: the coercion is exercised on every count.
      counting: () => ({ kind: 'postgres', url: withPassword(server.url), query: COUNTING_SQL.replace('FROM readings', `FROM ${table}`) }),
      answering: (rows) => ({ kind: 'postgres', url: withPassword(server.url), query: selectLiteral(rows) }),
      close: async () => void (await admin.query(`DROP TABLE ${table}`)),
    };
  }

  storeProbeConformance('postgres', postgresFixture);

  describe('postgres store probe', () => {
    it('reports bad SQL with its SQLSTATE, the URL without the password, and what to fix', async () => {
      const probe = await openStoreProbe({ kind: 'postgres', url: withPassword(server.url), query: 'SELEC device FROM readings' }, tmpdir());
      const error = await rejection(probe.counts());
      expect(error.code).toBe('E_STORE_PROBE_QUERY');
      expect(error.message).toBe(
        `postgres store probe on postgres://postgres@127.0.0.1:${server.port}/postgres: the query fails: syntax error at or near "SELEC" (SQLSTATE 42601 at character 1); fix \`query\``,
      );
      expect(probe.describe).toBe(`postgres postgres://postgres@127.0.0.1:${server.port}/postgres`);
      const missing = await openStoreProbe({ kind: 'postgres', url: server.url, query: 'SELECT * FROM stored' }, tmpdir());
      expect((await rejection(missing.counts())).message).toContain('relation "stored" does not exist (SQLSTATE 42P01');
      await Promise.all([probe.close(), missing.close()]);
    });

    it('never writes: a DELETE … RETURNING fails in its read-only transaction and the rows stay', async () => {
      const store = await postgresFixture();
      await store.store(readingsOf('pump-1', 'accel', [0, 1, 2]));
      const table = /FROM (readings_\d+)/.exec((store.counting() as { query: string }).query)?.[1];
      const deleting = await openStoreProbe({ kind: 'postgres', url: server.url, query: `DELETE FROM ${table} RETURNING device, sensor, 1 AS count` }, tmpdir());
      const error = await rejection(deleting.counts());
      expect([error.code, error.message]).toEqual(['E_STORE_PROBE_QUERY', expect.stringContaining('cannot execute DELETE in a read-only transaction (SQLSTATE 25006)')]);
      const counting = await openStoreProbe(store.counting(), tmpdir());
      expect((await counting.counts())[0]?.count).toBe(3);
      await Promise.all([deleting.close(), counting.close()]);
      await store.close();
    });

    it('runs the query in a read-only transaction with a 60 s statement timeout', async () => {
      const settings =
        "SELECT 'probe' AS device, 'settings' AS sensor, extract(epoch FROM current_setting('statement_timeout')::interval)::int AS count, (current_setting('transaction_read_only') = 'on')::int AS \"distinct\"";
      const probe = await openStoreProbe({ kind: 'postgres', url: server.url, query: settings }, tmpdir());
      expect(await probe.counts()).toEqual([{ device: 'probe', sensor: 'settings', count: 60, distinct: 1 }]);
      await probe.close();
    });

    it('fails at open when nothing listens at the URL, saying to start the database or fix host and port', async () => {
      const port = await closedPort();
      const error = await rejection(openStoreProbe({ kind: 'postgres', url: `postgresql://app:s3cret@127.0.0.1:${port}/twin?password=s3cret`, query: 'SELECT 1' }, tmpdir()));
      expect(error.code).toBe('E_STORE_PROBE_UNREACHABLE');
      expect(error.message).toMatch(
        new RegExp(`^postgres store probe on postgresql://app@127\\.0\\.0\\.1:${port}/twin\\?…: connection refused \\(.*ECONNREFUSED.*\\); start the database or fix the host and port in \`url\`$`),
      );
      expect(error.message).not.toContain('s3cret');
    });

    it('fails at open on a database that does not exist, naming it', async () => {
      const error = await rejection(openStoreProbe({ kind: 'postgres', url: server.url.replace(/\/postgres$/, '/nope'), query: 'SELECT 1' }, tmpdir()));
      expect([error.code, error.message]).toEqual(['E_STORE_PROBE_UNREACHABLE', expect.stringContaining('database "nope" does not exist (SQLSTATE 3D000); fix the database name in `url`')]);
    });

    it('holds at most one connection, however many counts run at once', async () => {
      // Each count reports the probe queries running on the server while it runs (after 50 ms of sleep, so five sent
      // at once would overlap) and the server process that ran it: one connection is one process.
      const active = "(SELECT count(*) FROM pg_stat_activity WHERE application_name = 'twinbed-store-probe' AND state = 'active')";
      const probe = await openStoreProbe(
        { kind: 'postgres', url: server.url, query: `SELECT 'pump-1' AS device, 'accel' AS sensor, ${active} AS count, pg_backend_pid() AS "distinct" FROM pg_sleep(0.05)` },
        tmpdir(),
      );
      const results = (await Promise.all(Array.from({ length: 5 }, () => probe.counts()))).flat();
      expect(results.map((c) => c.count)).toEqual([1, 1, 1, 1, 1]);
      expect(new Set(results.map((c) => c.distinct)).size).toBe(1);
      await probe.close();
    });

    it('reports a server that went away after open as unreachable, without crashing on the dropped connection', async () => {
      const other = await startPostgres();
      const probe = await openStoreProbe({ kind: 'postgres', url: other.url, query: "SELECT 'pump-1' AS device, 'accel' AS sensor, 1 AS count" }, tmpdir());
      expect(await probe.counts()).toEqual([{ device: 'pump-1', sensor: 'accel', count: 1 }]);
      await other.close();
      const error = await rejection(probe.counts());
      expect(error.code).toBe('E_STORE_PROBE_UNREACHABLE');
      expect(error.message).toMatch(new RegExp(`^postgres store probe on postgres://postgres@127\\.0\\.0\\.1:${other.port}/postgres: .+; (start the database or fix the host and port in|check) \`url\``));
      await probe.close();
    });
  });
});

// --- HTTP: an endpoint answering JSON ------------------------------------------------------------------

const TOKEN = 'Bearer t0ken';
/** What `http://sut:s3cret@…` must send: [RFC 7617 §2] Basic base64("sut:s3cret"). */
const BASIC = `Basic ${Buffer.from('sut:s3cret').toString('base64')}`;

async function httpFixture(): Promise<StoreFixture> {
  const readings: Reading[] = [];
  const answers = new Map<string, string>();
  const server = http.createServer((request, response) => {
    const path = new URL(request.url ?? '/', 'http://sut').pathname;
    const fixed = answers.get(path);
    if (fixed !== undefined) return void response.writeHead(200, { 'content-type': 'application/json' }).end(fixed);
    if (path === '/status.html') return void response.writeHead(200, { 'content-type': 'text/html' }).end('<html><body>up</body></html>');
    if (path !== '/api/stored') return void response.writeHead(404).end('not found');
    if (request.headers.authorization !== TOKEN && request.headers.authorization !== BASIC) return void response.writeHead(401, { 'content-type': 'application/json' }).end('{"error":"token required"}');
    // The SUT's own aggregation, in the shape `path: data.rows` points into.
    const seqsOf = new Map<string, number[]>();
    for (const r of readings) seqsOf.set(`${r.device}\n${r.sensor}`, [...(seqsOf.get(`${r.device}\n${r.sensor}`) ?? []), r.seq]);
    const rows = [...seqsOf].map(([key, seqs]) => {
      const [device, sensor] = key.split('\n');
      return { device, sensor, count: seqs.length, distinct: new Set(seqs).size, min_seq: Math.min(...seqs), max_seq: Math.max(...seqs) };
    });
    response.writeHead(200, { 'content-type': 'application/json' }).end(JSON.stringify({ data: { rows, total: rows.length } }));
  });
  await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', resolve));
  const base = `http://127.0.0.1:${(server.address() as AddressInfo).port}`;
  return {
    baseDir: tmpdir(),
    store: async (more) => void readings.push(...more),
    counting: () => ({ kind: 'http', url: `${base}/api/stored`, path: 'data.rows', headers: { authorization: TOKEN } }),
    answering: (rows) => {
      const route = `/answer/${answers.size}`;
      answers.set(route, JSON.stringify(rows));
      return { kind: 'http', url: `${base}${route}` };
    },
    close: async () => {
      server.closeAllConnections();
      await new Promise((resolve) => server.close(resolve));
    },
  };
}

storeProbeConformance('http', httpFixture);

describe('http store probe', () => {
  let store: StoreFixture;
  let base: string;
  beforeEach(async () => {
    store = await httpFixture();
    base = new URL((store.counting() as { url: string }).url).origin;
  });
  afterEach(() => store.close());

  it('names the keys present when the JSON path leads nowhere, and says a non-array is not rows', async () => {
    await store.store(readingsOf('pump-1', 'accel', [0]));
    const wrongKey = await openStoreProbe({ ...store.counting(), path: 'data.items' } as StoreQuery, tmpdir());
    expect((await rejection(wrongKey.counts())).message).toBe(`http store probe on ${base}/api/stored: no \`items\` in data (keys: rows, total); fix \`path\` (data.items)`);
    const notArray = await openStoreProbe({ ...store.counting(), path: 'data' } as StoreQuery, tmpdir());
    const error = await rejection(notArray.counts());
    expect([error.code, error.message]).toEqual(['E_STORE_PROBE_ROWS', expect.stringContaining(': data is object, not an array of rows; set `path` to the array')]);
    const throughScalar = await openStoreProbe({ ...store.counting(), path: 'data.total.rows' } as StoreQuery, tmpdir());
    expect((await rejection(throughScalar.counts())).message).toContain('no `rows` in data.total (it is 1)');
  });

  it('sends credentials in the URL as Basic authentication, and keeps them and the headers out of messages', async () => {
    await store.store(readingsOf('pump-1', 'accel', [0, 0]));
    const basic = await openStoreProbe({ kind: 'http', url: `${base.replace('//', '//sut:s3cret@')}/api/stored?key=s3cret`, path: 'data.rows' }, tmpdir());
    expect(await basic.counts()).toEqual([{ device: 'pump-1', sensor: 'accel', count: 2, distinct: 1, minSeq: 0, maxSeq: 0 }]);
    expect(basic.describe).toBe(`http http://sut@${base.slice('http://'.length)}/api/stored?… at data.rows`);
    const wrong = await openStoreProbe({ kind: 'http', url: `${base.replace('//', '//sut:wr0ng@')}/api/stored`, path: 'data.rows', headers: { 'x-api-key': 't0ken' } }, tmpdir());
    const error = await rejection(wrong.counts());
    expect(error.code).toBe('E_STORE_PROBE_QUERY');
    expect(error.message).toBe(`http store probe on http://sut@${base.slice('http://'.length)}/api/stored: GET answered 401 Unauthorized: "{\\"error\\":\\"token required\\"}"; check \`url\` and \`headers\``);
    expect(`${basic.describe} ${wrong.describe} ${error.message}`).not.toMatch(/s3cret|wr0ng|t0ken/);
  });

  it('reports an answer that is not JSON, or a 404, as a query error', async () => {
    const html = await openStoreProbe({ kind: 'http', url: `${base}/status.html` }, tmpdir());
    const error = await rejection(html.counts());
    expect(error.code).toBe('E_STORE_PROBE_QUERY');
    expect(error.message).toBe(
      `http store probe on ${base}/status.html: the answer is not JSON ("<html><body>up</body></html>"); \`url\` must answer a JSON array of rows, or an object holding one at \`path\``,
    );
    const missing = await openStoreProbe({ kind: 'http', url: `${base}/nowhere` }, tmpdir());
    expect((await rejection(missing.counts())).message).toContain('GET answered 404 Not Found: "not found"');
  });

  it('reports an endpoint nobody serves as unreachable', async () => {
    const port = await closedPort();
    const error = await rejection((await openStoreProbe({ kind: 'http', url: `http://127.0.0.1:${port}/api/stored` }, tmpdir())).counts());
    expect(error.code).toBe('E_STORE_PROBE_UNREACHABLE');
    expect(error.message).toBe(`http store probe on http://127.0.0.1:${port}/api/stored: GET failed (fetch failed: ECONNREFUSED); check that the SUT serves \`url\``);
  });
});

describe('StoreQuerySchema', () => {
  it('rejects unknown keys and URLs of the wrong scheme', () => {
    expect(StoreQuerySchema.safeParse({ kind: 'sqlite', path: 'a.db', query: 'SELECT 1', url: 'x' }).success).toBe(false);
    expect(StoreQuerySchema.safeParse({ kind: 'postgres', url: 'mysql://h/db', query: 'SELECT 1' }).error?.issues[0]?.message).toBe('expected a postgres:// or postgresql:// URL');
    expect(StoreQuerySchema.safeParse({ kind: 'http', url: 'ftp://h/x' }).success).toBe(false);
    expect(StoreQuerySchema.parse({ kind: 'http', url: 'https://h/x', headers: { a: 'b' } })).toEqual({ kind: 'http', url: 'https://h/x', headers: { a: 'b' } });
  });

  it('documents every field, for the JSON Schema editors autocomplete from', () => {
    const schema = z.toJSONSchema(StoreQuerySchema) as { anyOf?: Array<{ properties: Record<string, { description?: string }> }>; oneOf?: Array<{ properties: Record<string, { description?: string }> }> };
    const variants = schema.oneOf ?? schema.anyOf ?? [];
    expect(variants).toHaveLength(3);
    const undocumented = variants.flatMap((v) => Object.entries(v.properties).filter(([, p]) => !p.description).map(([name]) => name));
    expect(undocumented).toEqual([]);
  });
});

/** A loopback port with nothing listening on it. */
async function closedPort(): Promise<number> {
  const server = net.createServer();
  await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', resolve));
  const { port } = server.address() as AddressInfo;
  await new Promise<void>((resolve) => server.close(() => resolve()));
  return port;
}
