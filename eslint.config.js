// ESLint flat config. Syntax-only (no type information) so `npm run lint` stays fast on CI.
import js from '@eslint/js';
import { defineConfig, globalIgnores } from 'eslint/config';
import tseslint from 'typescript-eslint';
import twinbed from './tools/eslint-plugin-twinbed.js';

// Globals of Node 20 ESM scripts; TypeScript files get theirs from @types/node (no-undef is off for them).
const nodeGlobals = Object.fromEntries(
  [
    'AbortController', 'AbortSignal', 'Blob', 'Buffer', 'BroadcastChannel', 'DOMException', 'Event', 'EventTarget',
    'FormData', 'Headers', 'MessageChannel', 'MessagePort', 'Request', 'Response', 'TextDecoder', 'TextEncoder',
    'URL', 'URLSearchParams', 'WebSocket', 'atob', 'btoa', 'clearImmediate', 'clearInterval', 'clearTimeout',
    'console', 'crypto', 'fetch', 'global', 'performance', 'process', 'queueMicrotask', 'setImmediate',
    'setInterval', 'setTimeout', 'structuredClone',
  ].map((name) => [name, 'readonly']),
);

const unusedVarsOptions = {
  argsIgnorePattern: '^_',
  varsIgnorePattern: '^_',
  caughtErrorsIgnorePattern: '^_',
  destructuredArrayIgnorePattern: '^_',
};

export default defineConfig(
  globalIgnores(['node_modules/', 'dist/', 'test-results/', 'coverage/']),

  js.configs.recommended,
  {
    files: ['**/*.{js,mjs,cjs}'],
    languageOptions: { globals: nodeGlobals },
    rules: { 'no-unused-vars': ['error', unusedVarsOptions] },
  },
  {
    files: ['**/*.ts'],
    extends: [tseslint.configs.recommended],
    plugins: { twinbed },
    rules: {
      '@typescript-eslint/no-unused-vars': ['error', unusedVarsOptions],
      'twinbed/layer-boundaries': ['error', { root: import.meta.dirname }],
    },
  },

  // CONTRIBUTING.md#output-and-exit-codes: output goes through reporters and the logger; only the edges own the terminal and the exit code.
  {
    rules: {
      'no-console': 'error',
      'no-restricted-properties': [
        'error',
        {
          object: 'process',
          property: 'exit',
          message: 'Only cli/, bench/, scripts/ and bin/ end the process; throw a typed TwinbedError and let cli/ choose the exit code.',
        },
      ],
    },
  },
  {
    files: ['cli/**', 'bench/**', 'scripts/**', 'bin/**', 'test/**'],
    rules: { 'no-console': 'off' },
  },
  {
    files: ['cli/**', 'bench/**', 'scripts/**', 'bin/**'],
    rules: { 'no-restricted-properties': 'off' },
  },
);
