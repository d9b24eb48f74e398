// How every wapipe process serves HTTP and stops: listen, and on SIGINT/SIGTERM stop accepting requests,
// let the service drain and commit (`stop`), then exit.
import { serve } from '@hono/node-server';
import type { Logger } from '@wapipe/observability';

/** Runs a service's start-up; a failure is one log line that says what to fix, then exit 1. */
export async function startOrExit<T>(logger: Logger, start: () => Promise<T>): Promise<T> {
  try {
    return await start();
  } catch (error) {
    logger.error('could not start', { error: (error as Error).message });
    process.exit(1);
  }
}

export function serveUntilSignal(options: {
  fetch: (request: Request) => Response | Promise<Response>;
  port: number;
  logger: Logger;
  stop: () => Promise<void>;
}): void {
  const { logger } = options;
  const server = serve({ fetch: options.fetch, port: options.port, hostname: '0.0.0.0' }, (info) =>
    logger.info('listening', { port: info.port }),
  );
  let stopping = false;
  for (const signal of ['SIGINT', 'SIGTERM'] as const) {
    process.on(signal, () => {
      if (stopping) return;
      stopping = true;
      logger.info('stopping: no new requests, draining, committing', { signal });
      server.close();
      options.stop().then(
        () => {
          logger.info('stopped');
          process.exit(0);
        },
        (error: unknown) => {
          logger.error('stop failed', { error: (error as Error).message });
          process.exit(1);
        },
      );
    });
  }
}
