import { redactUrl, StoreProbeError, toStoredCounts, type StoreProbe, type StoreProbeErrorCode, type StoredCount, type StoreQuery } from './store-probe';

type HttpStoreQuery = Extract<StoreQuery, { kind: 'http' }>;

/** 30 seconds for the whole answer, so an endpoint that stalls fails instead of hanging the run. */
const REQUEST_TIMEOUT_MS = 30_000;

/** Counts with a GET on the SUT's endpoint; nothing is fetched before the first `counts()`. */
export function openHttpStoreProbe(config: HttpStoreQuery): StoreProbe {
  return new HttpStoreProbe(config);
}

class HttpStoreProbe implements StoreProbe {
  readonly describe: string;
  readonly #config: HttpStoreQuery;
  readonly #target: string;
  readonly #closing = new AbortController();
  readonly #request: { url: string; headers: Record<string, string> };

  constructor(config: HttpStoreQuery) {
    this.#config = config;
    this.#target = redactUrl(config.url);
    this.#request = withoutCredentials(config.url, { accept: 'application/json', ...config.headers });
    this.describe = config.path === undefined ? `http ${this.#target}` : `http ${this.#target} at ${config.path}`;
  }

  async counts(): Promise<StoredCount[]> {
    if (this.#closing.signal.aborted) throw this.#fail('E_STORE_PROBE_CLOSED', 'the probe is closed');
    const signal = AbortSignal.any([this.#closing.signal, AbortSignal.timeout(REQUEST_TIMEOUT_MS)]);
    let response: Response;
    let text: string;
    try {
      response = await fetch(this.#request.url, { headers: this.#request.headers, signal });
      text = await response.text();
    } catch (error) {
      if (this.#closing.signal.aborted) throw this.#fail('E_STORE_PROBE_CLOSED', 'the probe was closed during the request', error);
      throw this.#fail('E_STORE_PROBE_UNREACHABLE', `GET failed (${reasonOf(error)}); check that the SUT serves \`url\``, error);
    }
    if (!response.ok) {
      throw this.#fail('E_STORE_PROBE_QUERY', `GET answered ${response.status} ${response.statusText}: ${excerpt(text)}; check \`url\` and \`headers\``);
    }
    let body: unknown;
    try {
      body = JSON.parse(text);
    } catch (error) {
      throw this.#fail('E_STORE_PROBE_QUERY', `the answer is not JSON (${excerpt(text)}); \`url\` must answer a JSON array of rows, or an object holding one at \`path\``, error);
    }
    const path = this.#config.path ?? '';
    const rows = this.#rowsAt(body, path);
    const where = path === '' ? 'the answer' : `the answer's ${path}`;
    return toStoredCounts(rows, undefined, (code, message) => this.#fail(code, message), where);
  }

  async close(): Promise<void> {
    this.#closing.abort();
  }

  /** The array at the dotted `path` (empty: the root); array items are reached by index, e.g. `results.0.rows`. */
  #rowsAt(body: unknown, path: string): unknown[] {
    let value = body;
    const segments = path === '' ? [] : path.split('.');
    for (const [index, segment] of segments.entries()) {
      const parent = segments.slice(0, index).join('.') || 'the answer';
      if (typeof value !== 'object' || value === null || !Object.hasOwn(value, segment)) {
        const keys = typeof value === 'object' && value !== null ? `keys: ${Object.keys(value).slice(0, 20).join(', ') || 'none'}` : `it is ${JSON.stringify(value)}`;
        throw this.#fail('E_STORE_PROBE_ROWS', `no \`${segment}\` in ${parent} (${keys}); fix \`path\` (${path})`);
      }
      value = (value as Record<string, unknown>)[segment];
    }
    if (!Array.isArray(value)) {
      const what = path === '' ? 'the answer' : path;
      throw this.#fail('E_STORE_PROBE_ROWS', `${what} is ${value === null ? 'null' : typeof value}, not an array of rows; set \`path\` to the array`);
    }
    return value;
  }

  #fail(code: StoreProbeErrorCode, message: string, cause?: unknown): StoreProbeError {
    return new StoreProbeError(code, 'http', this.#target, message, cause === undefined ? undefined : { cause });
  }
}

/**
 * fetch refuses a URL with `user:password@`; send them as Basic authentication instead, unless the headers
 * already authenticate. [RFC 7617 §2] credentials = base64(user-id ":" password)
 */
function withoutCredentials(url: string, headers: Record<string, string>): { url: string; headers: Record<string, string> } {
  const parsed = new URL(url);
  if (parsed.username === '' && parsed.password === '') return { url, headers };
  const credentials = `${decodeURIComponent(parsed.username)}:${decodeURIComponent(parsed.password)}`;
  parsed.username = '';
  parsed.password = '';
  const authenticated = Object.keys(headers).some((name) => name.toLowerCase() === 'authorization');
  return {
    url: parsed.toString(),
    headers: authenticated ? headers : { ...headers, authorization: `Basic ${btoa(String.fromCharCode(...new TextEncoder().encode(credentials)))}` },
  };
}

/** fetch wraps the socket error (ECONNREFUSED, …) in `cause`. */
function reasonOf(error: unknown): string {
  if (!(error instanceof Error)) return String(error);
  const cause = error.cause as { code?: unknown; message?: unknown } | undefined;
  if (typeof cause?.code === 'string') return `${error.message}: ${cause.code}`;
  if (typeof cause?.message === 'string' && cause.message !== '') return `${error.message}: ${cause.message}`;
  return error.message;
}

function excerpt(text: string): string {
  const flat = text.replace(/\s+/g, ' ').trim();
  if (flat === '') return 'empty body';
  return JSON.stringify(flat.length > 120 ? `${flat.slice(0, 120)}…` : flat);
}
