import { createServer, type IncomingMessage, type ServerResponse } from 'node:http';
import type { AddressInfo } from 'node:net';

export type Route = (req: IncomingMessage, res: ServerResponse) => void;

/** A throwaway HTTP server on 127.0.0.1 (ephemeral port) for tests: loopback only, closed by `close()`. */
export async function startServer(
  routes: Record<string, Route>,
): Promise<{ url: string; hits: string[]; close(): Promise<void> }> {
  const hits: string[] = [];
  const server = createServer((req, res) => {
    const path = (req.url ?? '/').split('?')[0] ?? '/';
    hits.push(path);
    const route = routes[path];
    if (route) route(req, res);
    else {
      res.statusCode = 404;
      res.end('not found');
    }
  });
  await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', resolve));
  const { port } = server.address() as AddressInfo;
  return {
    url: `http://127.0.0.1:${port}`,
    hits,
    close: () =>
      new Promise<void>((resolve) => {
        server.closeAllConnections();
        server.close(() => resolve());
      }),
  };
}

/** A route that serves fixed bytes. */
export function bytesRoute(body: Uint8Array, contentType = 'application/octet-stream'): Route {
  return (_req, res) => {
    res.setHeader('content-type', contentType);
    res.setHeader('content-length', String(body.length));
    res.end(body);
  };
}
