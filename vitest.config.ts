import { defineConfig } from 'vitest/config';

const shared = { testTimeout: 60_000, hookTimeout: 60_000 };

export default defineConfig({
  test: {
    // Integration tests open sockets and spawn processes; on 2 cores, two workers keep them from starving.
    maxWorkers: 2,
    projects: [
      {
        test: {
          name: 'suite',
          include: ['test/**/*.test.ts', '{protocol,sim,ml,twins,gateway,cloud,scenarios,web,cli}/**/*.test.ts'],
          exclude: ['test/timing/**', 'test/library/**', '**/node_modules/**'],
          ...shared,
        },
      },
      {
        // The scenario library as CI runs it (twinbed test on its own worker processes): after the rest, on its own.
        test: { name: 'library', include: ['test/library/**/*.test.ts'], fileParallelism: false, sequence: { groupOrder: 1 }, ...shared },
      },
      {
        // Wall-clock latency bounds (e.g. detection to command < 50 ms at p99) measure twinbed, not a neighbour
        // test's CPU burst: they run after the rest, one file at a time, with the machine to themselves.
        test: { name: 'timing', include: ['test/timing/**/*.test.ts'], fileParallelism: false, sequence: { groupOrder: 2 }, ...shared },
      },
    ],
  },
});
