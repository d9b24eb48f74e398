// A real HTTP proxy in front of the local ClickHouse server that can hold one request on its way in: the
// test decides when a held insert lands, to order it against other members' work.
import { createServer, request } from 'node:http';
import type { IncomingMessage, Server, ServerResponse } from 'node:http';
import type { AddressInfo } from 'node:net';

export interface HoldingProxy {
  url: string;
  /** Resolves with the held request's query text once one matching `hold` arrives. */
  held: Promise<string>;
  /** Sends the held request on; resolves once the server has answered it. */
  release(): Promise<void>;
  stop(): Promise<void>;
}

/** Proxies to `target`; the first request whose query text matches `hold` waits for release(). */
export async function startHoldingProxy(
  target: string,
  hold: (query: string) => boolean,
): Promise<HoldingProxy> {
  const upstream = new URL(target);
  let holding = true;
  let onHeld = (_query: string) => {};
  const held = new Promise<string>((resolve) => (onHeld = resolve));
  let open = () => {};
  const gate = new Promise<void>((resolve) => (open = resolve));
  let answered = () => {};
  const heldAnswered = new Promise<void>((resolve) => (answered = resolve));

  const forward = (req: IncomingMessage, body: Buffer, res: ServerResponse, done?: () => void) => {
    const out = request(
      {
        host: upstream.hostname,
        port: upstream.port,
        method: req.method,
        path: req.url,
        headers: { ...req.headers, host: upstream.host },
      },
      (answer) => {
        res.writeHead(answer.statusCode ?? 502, answer.headers);
        answer.pipe(res);
        answer.once('end', () => done?.());
      },
    );
    out.once('error', (error) => {
      res.destroy(error);
      done?.();
    });
    out.end(body);
  };

  const server: Server = createServer((req, res) => {
    // The client of a held request may be gone (killed) when its answer comes.
    res.on('error', () => {});
    const chunks: Buffer[] = [];
    req.on('data', (c: Buffer) => chunks.push(c));
    req.once('end', () => {
      const body = Buffer.concat(chunks);
      const query = new URL(req.url ?? '/', 'http://proxy').searchParams.get('query') ?? '';
      if (holding && hold(query)) {
        holding = false;
        onHeld(query);
        void gate.then(() => forward(req, body, res, answered));
      } else forward(req, body, res);
    });
  });
  await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', resolve));
  const { port } = server.address() as AddressInfo;
  return {
    url: `http://127.0.0.1:${port}`,
    held,
    release: async () => {
      open();
      await heldAnswered;
    },
    stop: () =>
      new Promise<void>((resolve) => {
        server.closeAllConnections();
        server.close(() => resolve());
      }),
  };
}
