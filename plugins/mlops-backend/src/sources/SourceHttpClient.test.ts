import { ConfigReader } from '@backstage/config';
import http from 'http';
import { AddressInfo } from 'net';
import {
  DEFAULT_HTTP_SETTINGS,
  SourceCircuit,
  SourceHttpClient,
} from './SourceHttpClient';
import { SecretMask } from './secrets';

/** A server answering from a script of statuses, recording what it got. */
async function scriptedServer(statuses: number[]) {
  const seen: Array<{ url: string; auth?: string }> = [];
  const server = http.createServer((req, res) => {
    seen.push({ url: req.url ?? '', auth: req.headers.authorization });
    const status = statuses.length > 1 ? statuses.shift()! : statuses[0];
    res.writeHead(status, { 'content-type': 'application/json' });
    res.end(
      JSON.stringify(
        status === 200
          ? { ok: true }
          : {
              error_code: 'INTERNAL_ERROR',
              message: 'token s3cr3t-token-value was rejected',
            },
      ),
    );
  });
  await new Promise<void>(resolve => server.listen(0, '127.0.0.1', resolve));
  const { port } = server.address() as AddressInfo;
  return {
    url: `http://127.0.0.1:${port}/mlflow`,
    seen,
    close: () => new Promise<void>(resolve => server.close(() => resolve())),
  };
}

const settings = {
  ...DEFAULT_HTTP_SETTINGS,
  backoffMs: 1,
  requestsPerSecond: 1000,
  circuitThreshold: 2,
};
const mask = SecretMask.fromConfig(
  new ConfigReader({ name: 'central', token: 's3cr3t-token-value' }),
);

describe('SourceHttpClient', () => {
  const closers: Array<() => Promise<void>> = [];
  afterEach(async () => {
    while (closers.length) await closers.pop()!();
  });

  it('calls only below the configured base URL', () => {
    const client = new SourceHttpClient('http://mlflow.internal:5000/base', {
      settings,
      circuit: new SourceCircuit(settings),
      mask,
    });
    expect(
      client.resolve({ path: '/api/x', query: { a: ['1', '2'] } }).toString(),
    ).toBe('http://mlflow.internal:5000/base/api/x?a=1&a=2');
    for (const path of [
      '//evil.example/x',
      '/../other',
      'http://evil.example/',
      '/%2e%2e/other',
    ]) {
      expect(() => client.resolve({ path })).toThrow(/base URL|single "\/"/);
    }
  });

  it('retries a 5xx, then succeeds; masks the secret in errors; does not retry a 4xx', async () => {
    const server = await scriptedServer([503, 200]);
    closers.push(server.close);
    const client = new SourceHttpClient(server.url, {
      settings,
      circuit: new SourceCircuit(settings),
      mask,
    });
    await expect(client.json({ path: '/api/ok' })).resolves.toEqual({
      ok: true,
    });
    expect(server.seen).toHaveLength(2);

    const refusing = await scriptedServer([403]);
    closers.push(refusing.close);
    const other = new SourceHttpClient(refusing.url, {
      settings,
      circuit: new SourceCircuit(settings),
      mask,
    });
    const error: Error = await other
      .json({ path: '/api/x' })
      .then(() => new Error('no error'))
      .catch((e: Error) => e);
    expect(error).toMatchObject({ name: 'MlopsSourceHttpError', status: 403 });
    expect(error.message).toBe(
      'GET /mlflow/api/x answered 403: token *** was rejected',
    );
    expect(refusing.seen).toHaveLength(1);
  });

  it('opens the circuit after repeated failures and calls nothing until it closes', async () => {
    const server = await scriptedServer([500]);
    closers.push(server.close);
    let now = 1_000_000;
    const circuit = new SourceCircuit(settings, () => now);
    const client = new SourceHttpClient(server.url, {
      settings,
      circuit,
      mask,
    });
    for (let i = 0; i < settings.circuitThreshold; i++) {
      await expect(client.json({ path: '/api/x' })).rejects.toMatchObject({
        status: 500,
      });
    }
    const calls = server.seen.length;
    await expect(client.json({ path: '/api/x' })).rejects.toMatchObject({
      code: 'CIRCUIT_OPEN',
    });
    expect(server.seen.length).toBe(calls);
    now += settings.circuitCooldownMs + 1;
    await expect(client.json({ path: '/api/x' })).rejects.toMatchObject({
      status: 500,
    });
    expect(server.seen.length).toBeGreaterThan(calls);
  });
});
