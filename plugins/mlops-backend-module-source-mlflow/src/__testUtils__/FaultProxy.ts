import http from 'http';
import { AddressInfo } from 'net';

/** What the proxy does to the next requests. */
export type FaultMode =
  | { kind: 'pass' }
  /** Answers 503 to every request. */
  | { kind: 'unavailable' }
  /** Accepts the connection and never answers. */
  | { kind: 'hang' }
  /** Passes through, but every registered-models page names the same next page. */
  | { kind: 'pageTokenLoop' }
  /** Passes `n` requests through, then closes every connection it gets. */
  | { kind: 'vanishAfter'; requests: number };

/**
 * A TCP-level stand-in for the network between the portal and an MLflow
 * server: it forwards every request to the real upstream unchanged, and on
 * demand fails the way networks and servers fail. The server behind it is
 * real; only the failures are made up.
 */
export class FaultProxy {
  mode: FaultMode = { kind: 'pass' };
  /** Requests that reached the proxy, by path. */
  readonly requests: string[] = [];
  private server?: http.Server;
  private readonly hanging = new Set<http.ServerResponse>();

  constructor(private readonly upstream: string) {}

  async start(): Promise<string> {
    this.server = http.createServer((req, res) => {
      this.handle(req, res).catch(() => {
        res.destroy();
      });
    });
    await new Promise<void>(resolve =>
      this.server!.listen(0, '127.0.0.1', resolve),
    );
    const { port } = this.server.address() as AddressInfo;
    return `http://127.0.0.1:${port}`;
  }

  async stop(): Promise<void> {
    for (const res of this.hanging) res.destroy();
    this.server?.closeAllConnections();
    await new Promise<void>(resolve => this.server?.close(() => resolve()));
  }

  private async handle(req: http.IncomingMessage, res: http.ServerResponse) {
    this.requests.push(req.url ?? '');
    const mode = this.mode;
    if (mode.kind === 'unavailable') {
      res.writeHead(503, { 'content-type': 'application/json' });
      res.end(
        JSON.stringify({
          error_code: 'TEMPORARILY_UNAVAILABLE',
          message: 'down for maintenance',
        }),
      );
      return;
    }
    if (mode.kind === 'hang') {
      this.hanging.add(res);
      return;
    }
    if (mode.kind === 'vanishAfter') {
      if (mode.requests <= 0) {
        req.socket.destroy();
        return;
      }
      mode.requests -= 1;
    }
    const chunks: Buffer[] = [];
    for await (const chunk of req) chunks.push(chunk as Buffer);
    const headers: Record<string, string> = {};
    for (const [key, value] of Object.entries(req.headers)) {
      if (
        typeof value === 'string' &&
        !['host', 'content-length', 'connection'].includes(key)
      ) {
        headers[key] = value;
      }
    }
    let path = req.url ?? '/';
    if (
      mode.kind === 'pageTokenLoop' &&
      path.includes('/registered-models/search')
    ) {
      // Every page is the first page again, naming the same next page.
      const url = new URL(path, 'http://proxy');
      url.searchParams.delete('page_token');
      path = `${url.pathname}${url.search}`;
    }
    const upstream = await fetch(`${this.upstream}${path}`, {
      method: req.method,
      headers,
      body: ['GET', 'HEAD'].includes(req.method ?? 'GET')
        ? undefined
        : Buffer.concat(chunks),
    });
    let body = await upstream.text();
    if (
      mode.kind === 'pageTokenLoop' &&
      req.url?.includes('/registered-models/search')
    ) {
      const parsed = JSON.parse(body);
      parsed.next_page_token = 'same-page-again';
      body = JSON.stringify(parsed);
    }
    res.writeHead(upstream.status, {
      'content-type':
        upstream.headers.get('content-type') ?? 'application/json',
    });
    res.end(body);
  }
}
