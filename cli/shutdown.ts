/** Runs `cleanup` once on SIGINT or SIGTERM, then exits; a second signal exits at once. */
export function onShutdown(cleanup: () => Promise<void>): void {
  let stopping = false;
  const handler = (signal: NodeJS.Signals) => {
    if (stopping) process.exit(130);
    stopping = true;
    process.stderr.write(`twinbed: ${signal}, shutting down\n`);
    cleanup().then(
      () => process.exit(0),
      (error: unknown) => {
        process.stderr.write(`twinbed: shutdown failed: ${(error as Error).message}\n`);
        process.exit(1);
      },
    );
  };
  process.once('SIGINT', handler);
  process.once('SIGTERM', handler);
}
