// How every wapipe process serves HTTP and stops: listen, and on SIGINT/SIGTERM stop accepting requests,
// answer the ones in flight, let the service drain and commit (`stop`), then exit 0. A second signal
// forces the exit (non-zero) without waiting for the stop.
import type { IncomingMessage, Server, ServerResponse } from 'node:http';
import { serve } from '@hono/node-server';
import type { Logger } from '@wapipe/observability';

/**
 * One Ctrl-C reaches a process more than once: the terminal signals the whole process group, and npm
 * forwards the same signal to its script a few milliseconds later. A repeat within this window is that
 * copy, not a second Ctrl-C.
 */
export const repeatedSignalWindowMs = 1_000;

/** In-flight requests get this long to be answered once the server stops accepting new ones. */
const requestDrainMs = 5_000;

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
  // Node keeps serving keep-alive connections after close() for as long as their clients keep sending
  // (measured: a provider's steady retries held the server open until the drain deadline). So once closing,
  // every answer says `Connection: close`, and each connection ends after the request it is serving.
  let closing = false;
  server.on('request', (_request: IncomingMessage, response: ServerResponse) => {
    if (closing) response.setHeader('connection', 'close');
  });
  const closeServer = () =>
    new Promise<void>((resolve) => {
      closing = true;
      const timer = setTimeout(() => {
        // Keep-alive clients that keep sending would hold the server open; what is left is cut.
        if ('closeAllConnections' in server) server.closeAllConnections();
        resolve();
      }, requestDrainMs);
      server.close(() => {
        clearTimeout(timer);
        resolve();
      });
      if ('closeIdleConnections' in server) server.closeIdleConnections();
    });

  let firstSignalAt: number | undefined;
  const onSignal = (signal: NodeJS.Signals) => {
    if (firstSignalAt !== undefined) {
      if (performance.now() - firstSignalAt < repeatedSignalWindowMs) return;
      logger.warn('second signal: exiting now, without finishing the stop', { signal });
      process.exit(128 + (signal === 'SIGINT' ? 2 : 15));
    }
    firstSignalAt = performance.now();
    logger.info('stopping: no new requests, draining, committing (send the signal again to force)', {
      signal,
    });
    closeServer()
      .then(() => options.stop())
      .then(
        () => {
          logger.info('stopped');
          process.exit(0);
        },
        (error: unknown) => {
          logger.error('stop failed', { error: (error as Error).message });
          process.exit(1);
        },
      );
  };
  process.on('SIGINT', onSignal);
  process.on('SIGTERM', onSignal);
}
