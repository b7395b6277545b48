import pino, { type Logger } from 'pino';

/** Logs for humans on stderr (stdout carries results), JSON lines; level from TWINBED_LOG (default `warn`). */
export function stderrLogger(defaultLevel = 'warn'): Logger {
  return pino({ level: process.env.TWINBED_LOG ?? defaultLevel }, pino.destination(2));
}
