import { mockServices } from '@backstage/backend-test-utils';
import http from 'http';
import { AddressInfo } from 'net';
import { redactUrl } from '../shared/redactUrl';
import { WebhookDeploymentTarget } from './targets';

const deployment = {
  id: '7',
  model: 'fraud-detection',
  version: 3,
  environment: 'production',
  createdAt: '2026-11-25T10:00:00.000Z',
};

async function listen(handler: http.RequestListener) {
  const server = http.createServer(handler);
  await new Promise<void>(resolve => server.listen(0, '127.0.0.1', resolve));
  const { port } = server.address() as AddressInfo;
  return { server, base: `http://127.0.0.1:${port}` };
}

describe('WebhookDeploymentTarget', () => {
  const servers: http.Server[] = [];
  afterAll(async () => {
    await Promise.all(servers.map(s => new Promise(r => s.close(r))));
  });

  it('never writes the path or query of a webhook URL to the log or the message', async () => {
    // A port nobody listens on: the call fails and is logged.
    const closed = await listen(() => {});
    const port = (closed.server.address() as AddressInfo).port;
    await new Promise(r => closed.server.close(r));
    const url = `http://127.0.0.1:${port}/hooks/T000/B000/s3cr3t?token=abc123`;
    const logger = mockServices.logger.mock();
    const target = new WebhookDeploymentTarget([url], logger, 2000);

    const result = await target.deploy(deployment, { type: 'webhook' });
    expect(result.status).toBe('failed');
    expect(result.message).toBe(
      `The deployment webhook at http://127.0.0.1:${port} could not be reached`,
    );
    const logged = JSON.stringify([
      ...logger.warn.mock.calls,
      ...logger.error.mock.calls,
      ...logger.info.mock.calls,
    ]);
    expect(logged).toContain(`http://127.0.0.1:${port}`);
    expect(logged).not.toMatch(/s3cr3t|abc123|hooks/);
  });

  it('does not follow a redirect to another address', async () => {
    let elsewhereCalls = 0;
    const elsewhere = await listen((_req, res) => {
      elsewhereCalls += 1;
      res.end();
    });
    const redirecting = await listen((_req, res) => {
      res.statusCode = 302;
      res.setHeader('location', `${elsewhere.base}/steal`);
      res.end();
    });
    servers.push(elsewhere.server, redirecting.server);
    const target = new WebhookDeploymentTarget(
      [`${redirecting.base}/hook`],
      mockServices.logger.mock(),
    );
    const result = await target.deploy(deployment, { type: 'webhook' });
    expect(result).toMatchObject({ status: 'failed' });
    expect(result.message).toMatch(/answered HTTP 302/);
    expect(elsewhereCalls).toBe(0);
  });

  it('refuses to start with an allow-list entry that is not an http(s) URL', () => {
    expect(
      () =>
        new WebhookDeploymentTarget(
          ['file:///etc/passwd'],
          mockServices.logger.mock(),
        ),
    ).toThrow(/not an http\(s\) URL/);
  });

  it('matches a requested URL to the allow-list after normalising it', () => {
    const target = new WebhookDeploymentTarget(
      ['https://cd.example.com/hook', 'https://cd.example.com/other'],
      mockServices.logger.mock(),
    );
    expect(() =>
      target.validate({
        type: 'webhook',
        url: 'HTTPS://CD.EXAMPLE.COM:443/hook',
      }),
    ).not.toThrow();
    expect(() =>
      target.validate({
        type: 'webhook',
        url: 'https://cd.example.com/hook/../evil',
      }),
    ).toThrow(/not on mlops\.deployments\.webhook\.allowedUrls/);
    expect(() =>
      target.validate({
        type: 'webhook',
        url: 'https://cd.example.com.evil.io/hook',
      }),
    ).toThrow(/not on/);
    // Two URLs configured: the caller must say which one.
    expect(() => target.validate({ type: 'webhook' })).toThrow(/needs a url/);
  });

  it('shows only the origin of a URL', () => {
    expect(redactUrl('https://user:pw@hooks.example.com/a/b?token=x')).toBe(
      'https://hooks.example.com',
    );
    expect(redactUrl('not a url')).toBe('<invalid url>');
  });
});
