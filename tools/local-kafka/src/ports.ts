// Loopback port checks done before the JVM starts, so "port in use" is reported in a second, not after a
// broker start that fails half-way.
import { createServer } from 'node:net';

export const loopbackHost = '127.0.0.1';

/** A port the kernel just reported free on 127.0.0.1 (free now; nothing holds it for the caller). */
export function findFreePort(): Promise<number> {
  return new Promise((resolve, reject) => {
    const server = createServer();
    server.unref();
    server.once('error', reject);
    server.listen({ host: loopbackHost, port: 0, exclusive: true }, () => {
      const address = server.address();
      const port = typeof address === 'object' && address !== null ? address.port : 0;
      server.close(() => (port > 0 ? resolve(port) : reject(new Error('no port was assigned'))));
    });
  });
}

/** Resolves true when something already listens on (or holds) 127.0.0.1:port. */
export function isPortInUse(port: number): Promise<boolean> {
  return new Promise((resolve, reject) => {
    const server = createServer();
    server.unref();
    server.once('error', (error: NodeJS.ErrnoException) => {
      if (error.code === 'EADDRINUSE') resolve(true);
      else reject(error);
    });
    server.listen({ host: loopbackHost, port, exclusive: true }, () => server.close(() => resolve(false)));
  });
}
