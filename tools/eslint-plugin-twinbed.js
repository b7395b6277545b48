// Local ESLint plugin: keeps the layer architecture (CONTRIBUTING.md#layers-and-the-import-direction) visible and enforced in the code.
import path from 'node:path';
import { fileURLToPath } from 'node:url';

/** Top-level layer folders, relative to the project root. */
export const LAYERS = ['protocol', 'sim', 'ml', 'twins', 'gateway', 'cloud', 'scenarios', 'web', 'cli', 'bench', 'test'];

/** Importing layer → layers it may import. Data flows twins → gateway → cloud → web. */
export const ALLOWED_IMPORTS = {
  protocol: [],
  sim: ['protocol'],
  // Models are built here and run at the edge; the cloud fits them where the data is. Neither side imports the other.
  ml: ['protocol'],
  twins: ['protocol', 'sim'],
  gateway: ['protocol', 'sim', 'ml'],
  cloud: ['protocol', 'sim', 'ml'],
  web: ['protocol', 'sim', 'cloud'],
  scenarios: ['protocol', 'sim', 'ml', 'twins', 'gateway', 'cloud'],
  cli: LAYERS.filter((layer) => layer !== 'cli'),
  bench: LAYERS.filter((layer) => layer !== 'bench'),
  test: LAYERS.filter((layer) => layer !== 'test'),
};

/** Layers whose files may reach past another layer's index (white-box unit tests and benchmarks). */
const DEEP_IMPORT_LAYERS = new Set(['test', 'bench']);

/** Layers that web/client (browser code) may import. */
const BROWSER_ALLOWED_LAYERS = ['protocol'];

// Node builtins with no browser equivalent; a subpath such as `fs/promises` counts as its module.
const NODE_BUILTINS = new Set([
  'fs', 'net', 'path', 'crypto', 'child_process', 'os', 'http', 'https', 'url', 'stream', 'events', 'util',
  'worker_threads', 'zlib', 'tls', 'dns',
  'http2', 'dgram', 'cluster', 'readline', 'vm', 'v8', 'perf_hooks', 'module', 'async_hooks', 'inspector', 'tty',
]);

// The plugin lives in <root>/tools/, so the root is one folder up unless the `root` option says otherwise.
const DEFAULT_ROOT = path.resolve(path.dirname(fileURLToPath(import.meta.url)), '..');

/** @param {string} p */
const toPosix = (p) => p.split(path.sep).join('/');

/**
 * Where a path sits relative to the root: its layer (or null) and the segments below the root.
 * @param {string} root
 * @param {string} absolute
 */
function locate(root, absolute) {
  const rel = path.relative(root, absolute);
  if (rel === '' || rel === '..' || rel.startsWith(`..${path.sep}`) || path.isAbsolute(rel)) {
    return { layer: null, segments: [] };
  }
  const segments = rel.split(path.sep);
  const first = segments[0] ?? '';
  return { layer: LAYERS.includes(first) ? first : null, segments };
}

/** @param {string[]} segments segments of the target below the root, starting with its layer */
function isPublicDoor(segments) {
  if (segments.length === 1) return true;
  return segments.length === 2 && ['index', 'index.js', 'index.ts'].includes(segments[1] ?? '');
}

/** @param {string} specifier */
function nodeBuiltin(specifier) {
  if (specifier.startsWith('node:')) return specifier;
  const name = specifier.split('/')[0] ?? '';
  return NODE_BUILTINS.has(name) ? specifier : null;
}

/** @param {string} filename */
const isColocatedTest = (filename) => /\.(test|spec)\.[cm]?[jt]sx?$/.test(filename);

/** @type {import('eslint').Rule.RuleModule} */
const layerBoundaries = {
  meta: {
    type: 'problem',
    docs: {
      description:
        'Enforce the layer architecture: import other layers only through their index, only in the data-flow direction, and keep Node out of browser code.',
    },
    schema: [
      {
        type: 'object',
        properties: {
          root: { type: 'string', description: 'Absolute path of the project root. Default: the folder above tools/.' },
        },
        additionalProperties: false,
      },
    ],
    messages: {
      deepImport:
        "import {{door}} (its index.ts), not {{specifier}}: other layers use only a layer's public door",
      forbiddenLayer:
        '{{from}} may not import {{to}}: data flows twins → gateway → cloud → web and a layer imports only the layers before it (allowed for {{from}}: {{allowed}})',
      browserLayer:
        'web/client may not import {{to}}: it runs in the browser, where among layers only {{allowed}} is safe; move what you need into protocol/ or fetch it from the server',
      nodeBuiltin:
        '{{where}} may not import {{specifier}}: it runs in the browser, which has no Node builtins; use a Web-standard API or a small interface injected from Node code',
    },
  },

  create(context) {
    const filename = context.filename;
    if (!path.isAbsolute(filename)) return {};
    const root = path.resolve(context.options[0]?.root ?? DEFAULT_ROOT);
    const { layer: fromLayer, segments: fromSegments } = locate(root, filename);
    if (fromLayer === null) return {};

    const dir = path.dirname(filename);
    const inWebClient = fromLayer === 'web' && fromSegments[1] === 'client' && fromSegments.length > 2;
    // Colocated tests run in Node under vitest, never in the browser.
    const browserCode = (fromLayer === 'protocol' || inWebClient) && !isColocatedTest(filename);

    /**
     * @param {import('estree').Node} node the string literal that holds the specifier
     * @param {string} specifier
     */
    function check(node, specifier) {
      if (browserCode) {
        const builtin = nodeBuiltin(specifier);
        if (builtin !== null) {
          context.report({
            node,
            messageId: 'nodeBuiltin',
            data: { where: inWebClient ? 'web/client' : 'protocol', specifier },
          });
          return;
        }
      }
      if (!specifier.startsWith('.')) return;

      const target = path.resolve(dir, specifier);
      const { layer: toLayer, segments } = locate(root, target);
      if (toLayer === null || toLayer === fromLayer) return;

      if (inWebClient && !BROWSER_ALLOWED_LAYERS.includes(toLayer)) {
        context.report({ node, messageId: 'browserLayer', data: { to: toLayer, allowed: BROWSER_ALLOWED_LAYERS.join(', ') } });
        return;
      }
      const allowed = ALLOWED_IMPORTS[/** @type {keyof typeof ALLOWED_IMPORTS} */ (fromLayer)];
      if (!allowed.includes(toLayer)) {
        context.report({
          node,
          messageId: 'forbiddenLayer',
          data: { from: fromLayer, to: toLayer, allowed: allowed.length > 0 ? allowed.join(', ') : 'none' },
        });
        return;
      }
      // The browser bundle may take a protocol module by itself: through the index it would carry zod and yaml,
      // whose schemas run at load, so esbuild cannot leave them out (the page's bundle doubles).
      const browserDeepProtocol = inWebClient && toLayer === 'protocol';
      if (!DEEP_IMPORT_LAYERS.has(fromLayer) && !browserDeepProtocol && !isPublicDoor(segments)) {
        let door = toPosix(path.relative(dir, path.join(root, toLayer)));
        if (!door.startsWith('.')) door = `./${door}`;
        context.report({ node, messageId: 'deepImport', data: { door, specifier } });
      }
    }

    /** @param {any} source a Literal, a TemplateLiteral or anything else (ignored) */
    function checkSource(source) {
      if (!source) return;
      if (source.type === 'Literal' && typeof source.value === 'string') {
        check(source, source.value);
      } else if (source.type === 'TemplateLiteral' && source.expressions.length === 0) {
        const cooked = source.quasis[0]?.value.cooked;
        if (typeof cooked === 'string') check(source, cooked);
      }
    }

    return {
      ImportDeclaration: (node) => checkSource(node.source),
      ExportNamedDeclaration: (node) => checkSource(node.source),
      ExportAllDeclaration: (node) => checkSource(node.source),
      ImportExpression: (node) => checkSource(node.source),
      // TypeScript-only forms: `import x = require('…')` and `type T = import('…').T`.
      /** @param {any} node */
      TSExternalModuleReference: (node) => checkSource(node.expression),
      /** @param {any} node */
      TSImportType: (node) => checkSource(node.source ?? node.argument?.literal),
    };
  },
};

/** @type {import('eslint').ESLint.Plugin} */
const plugin = {
  meta: { name: 'eslint-plugin-twinbed', version: '0.1.0' },
  rules: { 'layer-boundaries': layerBoundaries },
};

export default plugin;
