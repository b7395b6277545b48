import { defineConfig } from 'vitest/config';

export default defineConfig({
  test: {
    include: ['test/**/*.test.ts', '{protocol,sim,twins,gateway,cloud,scenarios,web,cli}/**/*.test.ts'],
    // Integration tests open sockets and spawn processes; on 2 cores, two workers keep them from starving.
    maxWorkers: 2,
    testTimeout: 60_000,
    hookTimeout: 60_000,
  },
});
