import path from 'node:path';
import { fileURLToPath } from 'node:url';
import { RuleTester } from 'eslint';
import tseslint from 'typescript-eslint';
import { describe, it } from 'vitest';
import plugin from '../../../tools/eslint-plugin-twinbed.js';

RuleTester.describe = describe;
RuleTester.it = it;
RuleTester.itOnly = it.only;

// The rule resolves paths against the project root; only paths matter, so none of these files need exist.
const root = path.resolve(path.dirname(fileURLToPath(import.meta.url)), '../../..');
const at = (relative: string): string => path.join(root, ...relative.split('/'));

const tester = new RuleTester({ languageOptions: { parser: tseslint.parser } });

tester.run('twinbed/layer-boundaries', plugin.rules['layer-boundaries'], {
  valid: [
    {
      name: 'gateway may import protocol through its index.js',
      filename: at('gateway/session.ts'),
      code: "import { encode } from '../protocol/index.js';",
    },
    {
      name: 'gateway may import sim through the folder itself, index and index.ts',
      filename: at('gateway/session.ts'),
      code: "import '../sim'; import '../sim/index'; export * from '../sim/index.ts';",
    },
    {
      name: 'a layer reaches freely into its own subfolders',
      filename: at('gateway/session.ts'),
      code: "import { State } from './session/state.js'; import type { Q } from './queue/index.js';",
    },
    {
      name: 'scenarios may import twins, gateway and cloud',
      filename: at('scenarios/run.ts'),
      code: "import '../twins/index.js'; import '../gateway/index.js'; import '../cloud/index.js';",
    },
    {
      name: 'web may import cloud, and its Node server may use Node builtins',
      filename: at('web/server/app.ts'),
      code: "import '../../cloud/index.js'; import { createServer } from 'node:http'; import fs from 'fs';",
    },
    {
      name: 'cli may import any layer through its index',
      filename: at('cli/main.ts'),
      code: "import '../scenarios/index.js'; import '../web/index.js'; import '../bench/index.js';",
    },
    {
      name: 'white-box unit tests under test/ may import deep paths',
      filename: at('test/unit/protocol/codec.test.ts'),
      code: "import { encode } from '../../../protocol/codec.js'; import '../../../gateway/session/state.js';",
    },
    {
      name: 'benchmarks may import deep paths',
      filename: at('bench/broker.bench.ts'),
      code: "import { Broker } from '../sim/broker.js';",
    },
    {
      name: 'files outside the layer folders are unrestricted',
      filename: at('scripts/gen-schema.ts'),
      code: "import { messageSchema } from '../protocol/messages.js'; import '../gateway/internal/x.js';",
    },
    {
      name: 'browser code may import one protocol module by itself, so its bundle does not carry every schema',
      filename: at('web/client/main.ts'),
      code: "import { EnergyIntegrator } from '../../protocol/energy-integrator.js';",
    },
    {
      name: 'browser code may import protocol through its index',
      filename: at('web/client/views/chart.ts'),
      code: "import { decode } from '../../../protocol/index.js'; import * as THREE from 'three';",
    },
    {
      name: 'colocated protocol tests run in Node and may read golden files',
      filename: at('protocol/codec.test.ts'),
      code: "import { readFileSync } from 'node:fs';",
    },
    {
      name: 'package imports are not layer imports',
      filename: at('gateway/session.ts'),
      code: "import mqtt from 'mqtt'; import { z } from 'zod';",
    },
    {
      name: 'the root option moves the project root',
      filename: '/elsewhere/project/gateway/session.ts',
      code: "import '../cloud/index.js';",
      options: [{ root: '/somewhere/else' }],
    },
  ],
  invalid: [
    {
      name: 'ml may not import the gateway: the gateway and the cloud both build on it',
      filename: at('ml/fit.ts'),
      code: "import { Gateway } from '../gateway';",
      errors: [{ message: 'ml may not import gateway: data flows twins → gateway → cloud → web and a layer imports only the layers before it (allowed for ml: protocol)' }],
    },
    {
      name: 'a deep import into another layer is reported with the door to use',
      filename: at('gateway/session.ts'),
      code: "import { encode } from '../protocol/codec.js';",
      errors: [
        {
          message:
            "import ../protocol (its index.ts), not ../protocol/codec.js: other layers use only a layer's public door",
        },
      ],
    },
    {
      name: 'the door is given relative to a nested importing file',
      filename: at('cloud/store/sqlite.ts'),
      code: "export { Rng } from '../../sim/rng';",
      errors: [{ messageId: 'deepImport', data: { door: '../../sim', specifier: '../../sim/rng' } }],
    },
    {
      name: 'gateway importing cloud is against the data flow',
      filename: at('gateway/uplink.ts'),
      code: "import { Store } from '../cloud/index.js';",
      errors: [
        {
          message:
            'gateway may not import cloud: data flows twins → gateway → cloud → web and a layer imports only the layers before it (allowed for gateway: protocol, sim, ml)',
        },
      ],
    },
    {
      name: 'twins importing gateway is against the data flow (one error, not also a deep-import error)',
      filename: at('twins/pump.ts'),
      code: "import { Gateway } from '../gateway/edge/gateway.js';",
      errors: [{ messageId: 'forbiddenLayer', data: { from: 'twins', to: 'gateway', allowed: 'protocol, sim' } }],
    },
    {
      name: 'protocol imports no other layer',
      filename: at('protocol/codec.ts'),
      code: "import type { Clock } from '../sim/index.js';",
      errors: [{ messageId: 'forbiddenLayer', data: { from: 'protocol', to: 'sim', allowed: 'none' } }],
    },
    {
      name: 're-exports, dynamic imports and import types are checked too',
      filename: at('gateway/uplink.ts'),
      code: [
        "export * from '../cloud/index.js';",
        "const m = await import('../cloud/index.js');",
        "type S = import('../cloud/index.js').Store;",
      ].join('\n'),
      errors: [
        { messageId: 'forbiddenLayer', line: 1 },
        { messageId: 'forbiddenLayer', line: 2 },
        { messageId: 'forbiddenLayer', line: 3 },
      ],
    },
    {
      name: 'browser code may not import node: modules',
      filename: at('web/client/main.ts'),
      code: "import { readFile } from 'node:fs';",
      errors: [{ messageId: 'nodeBuiltin', data: { where: 'web/client', specifier: 'node:fs' } }],
    },
    {
      name: 'browser code may not import bare Node builtins or their subpaths',
      filename: at('web/client/main.ts'),
      code: "import path from 'path'; import { readFile } from 'fs/promises';",
      errors: [{ messageId: 'nodeBuiltin' }, { messageId: 'nodeBuiltin' }],
    },
    {
      name: 'browser code may not import sim, though the web layer may',
      filename: at('web/client/main.ts'),
      code: "import { VirtualClock } from '../../sim/index.js';",
      errors: [{ messageId: 'browserLayer', data: { to: 'sim', allowed: 'protocol' } }],
    },
    {
      name: 'protocol may not import Node builtins: it runs in the browser too',
      filename: at('protocol/codec.ts'),
      code: "import { createHash } from 'node:crypto'; import { EventEmitter } from 'events';",
      errors: [
        { messageId: 'nodeBuiltin', data: { where: 'protocol', specifier: 'node:crypto' } },
        { messageId: 'nodeBuiltin', data: { where: 'protocol', specifier: 'events' } },
      ],
    },
  ],
});
