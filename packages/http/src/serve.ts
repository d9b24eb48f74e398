// How every wapipe process serves HTTP and stops: listen, and on SIGINT/SIGTERM stop accepting requests,
// let the service drain and commit (`stop`), then exit.
import type { Server } from 'node:http';
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

/** Node HTTP server limits (HEADERS_TIMEOUT_MS, REQUEST_TIMEOUT_MS, MAX_CONNECTIONS). */
export interface ServerLimits {
  headersTimeoutMs: number;
  requestTimeoutMs: number;
  maxConnections: number;
}

const defaultServerLimits: ServerLimits = {
  headersTimeoutMs: 10_000,
  requestTimeoutMs: 30_000,
  maxConnections: 4096,
};

/** Listens with the limits applied; every wapipe process serves through this. */
export function serveHttp(options: {
  fetch: (request: Request) => Response | Promise<Response>;
  port: number;
  hostname?: string;
  limits?: Partial<ServerLimits>;
  onListening?: (port: number) => void;
}): Server {
  const limits = { ...defaultServerLimits, ...options.limits };
  const server = serve(
    {
      fetch: options.fetch,
      port: options.port,
      hostname: options.hostname ?? '0.0.0.0',
      serverOptions: {
        headersTimeout: limits.headersTimeoutMs,
        requestTimeout: limits.requestTimeoutMs,
        // Node checks both timeouts on this interval (30 s by default, longer than the timeouts).
        connectionsCheckingInterval: Math.min(1_000, limits.headersTimeoutMs),
      },
    },
    (info) => options.onListening?.(info.port),
    // Without createServer or TLS options, @hono/node-server builds a node:http Server.
  ) as Server;
  server.maxConnections = limits.maxConnections;
  return server;
}

export function serveUntilSignal(options: {
  fetch: (request: Request) => Response | Promise<Response>;
  port: number;
  logger: Logger;
  stop: () => Promise<void>;
  limits?: Partial<ServerLimits>;
}): void {
  const { logger } = options;
  const server = serveHttp({
    fetch: options.fetch,
    port: options.port,
    ...(options.limits ? { limits: options.limits } : {}),
    onListening: (port) => logger.info('listening', { port }),
  });
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
