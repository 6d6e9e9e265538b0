// The real auth services, so the static token goes through externalAccess as
// in production. The package is in the workspace (packages/backend) but not
// yet a devDependency of this plugin (noted for the maintainers).
import { authServiceFactory } from '@backstage/backend-defaults/auth';
import { httpAuthServiceFactory } from '@backstage/backend-defaults/httpAuth';
import { MiddlewareFactory } from '@backstage/backend-defaults/rootHttpRouter';
import { ConfigReader } from '@backstage/config';
import { IncomingMessage, ServerResponse } from 'node:http';
import request from 'supertest';
import { createTestDatabases } from '../../__testUtils__/databases';
import { PART_SIGNATURE_HEADER } from '../../artifacts/MultipartUploads';
import { CapturingLogger, startHostileBackend } from './__testUtils__/backend';

jest.setTimeout(120_000);

const WEBHOOK_URL =
  'https://hookuser:s3cret-hook-pass@hooks.invalid/deploy/T0001?token=abc-hook-token';
const EXTERNAL_TOKEN = 'ext-access-s3cret-0123456789abcdef';
const SIGNING_KEY = 'mpu-part-url-signing-key-0123456789abcdef';
const SECRETS = [
  's3cret-hook-pass',
  'abc-hook-token',
  'hookuser',
  'T0001',
  EXTERNAL_TOKEN,
  's3cret',
  SIGNING_KEY,
];

/*
 * A webhook target whose allowed URL carries credentials and a token, and a
 * CD system's static external access token: drive deploys that fail, status
 * reports and refused requests, then look for the secrets in everything the
 * backend logged and every body it answered.
 */
describe('secrets in failing requests', () => {
  const databases = createTestDatabases();

  it('never writes a webhook credential or a bearer token to a log line or an error body', async () => {
    const knex = await databases.init('SQLITE_3');
    const backend = await startHostileBackend(
      knex,
      {
        backend: {
          auth: {
            externalAccess: [
              {
                type: 'static',
                options: { token: EXTERNAL_TOKEN, subject: 'cd-system' },
              },
            ],
          },
        },
        mlops: {
          drift: { limits: { maxBodyBytes: 1024 * 1024 } },
          deployments: { webhook: { allowedUrls: [WEBHOOK_URL] } },
          artifacts: { multipart: { signingKey: SIGNING_KEY } },
        },
      },
      [authServiceFactory, httpAuthServiceFactory],
    );
    // A test backend's root router has no request log; a production one
    // (rootHttpRouterServiceFactory) has Backstage's, which writes each
    // request's method, URL, status, user agent and referrer. The same
    // middleware sees every request here and writes to the captured lines.
    const requestLog = MiddlewareFactory.create({
      config: new ConfigReader({}),
      logger: new CapturingLogger(backend.logs).child({
        service: 'rootHttpRouter',
      }),
    }).logging();
    backend.server.on('request', (req: IncomingMessage, res: ServerResponse) =>
      requestLog(req as any, res as any, () => {}),
    );
    const bodies: string[] = [];
    const call = async (
      method: 'post' | 'put' | 'patch',
      path: string,
      body: unknown,
      token = EXTERNAL_TOKEN,
    ) => {
      const response = await (request(backend.server) as any)
        [method](`/api/mlops${path}`)
        .set('authorization', `Bearer ${token}`)
        .send(body);
      bodies.push(response.text);
      return response;
    };
    try {
      expect(
        (await call('post', '/models', { name: 'secret-model' })).status,
      ).toBe(201);
      expect(
        (
          await call('post', '/models/secret-model/versions', {
            artifactUri: 's3://m/1',
          })
        ).status,
      ).toBe(201);
      // The webhook host does not resolve: the deployment fails and is logged.
      const deploy = await call('post', '/models/secret-model/deployments', {
        version: 1,
        environment: 'production',
        target: { type: 'webhook', url: WEBHOOK_URL },
      });
      expect(deploy.status).toBeLessThan(500);
      // The URL with other credentials is not on the allow-list.
      const offList = await call('post', '/models/secret-model/deployments', {
        version: 1,
        environment: 'staging',
        target: {
          type: 'webhook',
          url: 'https://hookuser:other-s3cret@hooks.invalid/deploy/T0001?token=abc-hook-token-2',
        },
      });
      expect(offList.status).toBeGreaterThanOrEqual(400);
      expect(offList.status).toBeLessThan(500);
      if (deploy.body?.id) {
        await call('patch', `/deployments/${deploy.body.id}`, {
          status: 'failed',
          message: 'rollout failed',
        });
      }
      // A wrong token (the real one with a suffix), a token in the wrong place, and malformed bodies.
      const refused = await call(
        'post',
        '/models',
        { name: 'x' },
        `${EXTERNAL_TOKEN}x`,
      );
      expect(refused.status).toBe(401);
      expect(
        (
          await call(
            'post',
            '/models/secret-model/deployments',
            '{"version":',
            EXTERNAL_TOKEN,
          )
        ).status,
      ).toBe(400);
      expect(
        (
          await call('post', '/mlflow/api/2.0/mlflow/runs/create', {
            experiment_id: EXTERNAL_TOKEN,
          })
        ).status,
      ).toBe(404);
      expect(
        (
          await call(
            'post',
            '/mlflow/api/2.0/mlflow/experiments/create',
            { name: 'e' },
            `${EXTERNAL_TOKEN}x`,
          )
        ).status,
      ).toBe(401);

      // Multipart parts signed with the configured key: forged, tampered
      // and unsigned parts are refused without a word of the key. Each
      // part's signature is a credential for an hour: it travels in a
      // header, so the request log (method, URL, status) never has it.
      const experiment = await call(
        'post',
        '/mlflow/api/2.0/mlflow/experiments/create',
        { name: 'secret-artifacts' },
      );
      const upload = await call(
        'post',
        `/mlflow/api/2.0/mlflow-artifacts/mpu/create/${experiment.body.experiment_id}/r/artifacts`,
        { path: '/home/ds/model.bin', num_parts: 2 },
      );
      expect(upload.status).toBe(200);
      const credentials: Array<{ url: string; headers: object }> =
        upload.body.credentials;
      const signatures = credentials.map(
        c => (c.headers as Record<string, string>)[PART_SIGNATURE_HEADER],
      );
      expect(signatures).toEqual([expect.any(String), expect.any(String)]);
      const partUrl = new URL(credentials[0].url);
      const partAnswers: string[] = [];
      const putPart = async (search: string, headers: object) => {
        const part = await (request(backend.server) as any)
          .put(`${partUrl.pathname}${search}`)
          .set(headers)
          .send(Buffer.from('part'));
        bodies.push(part.text);
        partAnswers.push(part.text);
        return part.status;
      };
      for (const [search, headers] of [
        [partUrl.search, { [PART_SIGNATURE_HEADER]: 'forged' }],
        [
          partUrl.search.replace(/expires=\d+/, 'expires=1'),
          credentials[0].headers,
        ],
        [partUrl.search, {}],
        ['', credentials[0].headers],
      ] as const) {
        expect(await putPart(search, headers)).toBe(403);
      }
      // And a part sent as MLflow's client sends it, to show that its
      // request is logged (and that the log line has no signature either).
      expect(await putPart(partUrl.search, credentials[0].headers)).toBe(200);
      expect(
        backend.logs.some(line =>
          line.includes(`PUT ${partUrl.pathname}${partUrl.search}`),
        ),
      ).toBe(true);

      // The MLflow 404 names the id the test sent on purpose (the token):
      // that echo is the caller's own input, not a leak, and is cut out.
      const answered = bodies
        .join('\n')
        .split(`No experiment with id ${EXTERNAL_TOKEN}`)
        .join('');
      expect(
        backend.logs.some(line => line.includes('Deployment webhook')),
      ).toBe(true);
      for (const secret of SECRETS) {
        expect(backend.logs.join('\n')).not.toContain(secret);
        expect(answered).not.toContain(secret);
      }
      // The part signatures issued (mpu/create hands them out, in its
      // answer): in no log line, nor in any answer of the part route.
      for (const signature of signatures) {
        expect(backend.logs.join('\n')).not.toContain(signature);
        expect(partAnswers.join('\n')).not.toContain(signature);
      }
    } finally {
      await backend.stop();
    }
  });
});
