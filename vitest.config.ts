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
          exclude: ['test/timing/**', 'test/library/**', 'test/fuzz/**', 'test/soak/soak.test.ts', '**/node_modules/**'],
          ...shared,
        },
      },
      {
        // Fuzzing: fast-check properties and malformed payloads over real brokers. Small and on a fixed seed here;
        // `npm run fuzz` runs the same tests large (TWINBED_FUZZ=full: 100,000 payloads, 50× the runs).
        test: { name: 'fuzz', include: ['test/fuzz/**/*.test.ts'], ...shared },
      },
      {
        // The soak (issue 12): its global setup starts five minutes of it as a process of its own when the run begins,
        // so it overlaps the suite above; this test, right after that suite, waits for it and judges its figures. It
        // must end before the library and timing groups: they want the machine to themselves.
        test: {
          name: 'soak',
          include: ['test/soak/soak.test.ts'],
          globalSetup: ['test/soak/soak-global-setup.ts'],
          fileParallelism: false,
          sequence: { groupOrder: 1 },
          testTimeout: 10 * 60_000,
          hookTimeout: 60_000,
        },
      },
      {
        // The scenario library as CI runs it (twinbed test on its own worker processes): after the rest, on its own.
        test: { name: 'library', include: ['test/library/**/*.test.ts'], fileParallelism: false, sequence: { groupOrder: 2 }, ...shared },
      },
      {
        // Wall-clock latency bounds (e.g. detection to command < 50 ms at p99) measure twinbed, not a neighbour
        // test's CPU burst: they run after the rest, one file at a time, with the machine to themselves.
        test: { name: 'timing', include: ['test/timing/**/*.test.ts'], fileParallelism: false, sequence: { groupOrder: 3 }, ...shared },
      },
    ],
  },
});
