/**
 * SIGINT and SIGTERM for the bot and the worker: run `stop` once, then exit 0, or 1 with the error logged
 * if it fails.
 */
import type { Logger } from './discord/logger.ts';

export function onStopSignals(log: Logger, stop: () => Promise<unknown>): void {
  let stopping = false;
  const handler = (signal: string) => {
    if (stopping) return;
    stopping = true;
    log.info('signal received', { signal });
    stop()
      .then(() => process.exit(0))
      .catch((error: unknown) => {
        log.error('unclean shutdown', { error });
        process.exit(1);
      });
  };
  process.on('SIGINT', () => handler('SIGINT'));
  process.on('SIGTERM', () => handler('SIGTERM'));
}
