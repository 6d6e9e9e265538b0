import request from 'supertest';
import { createTestDatabases } from '../../__testUtils__/databases';
import {
  credentialsHeader,
  seed,
  startHostileBackend,
} from './__testUtils__/backend';
import { settledSnapshot } from './snapshot';

jest.setTimeout(120_000);

/*
 * The requests the hostile suite found answered with a 500 (PostgreSQL
 * refuses NUL in text, so the error surfaced from the database) or taken
 * when they should not be, each with the answer it gets now.
 */
describe.each(createTestDatabases().eachSupportedId())(
  'input fixes found by the hostile suite on %p',
  databaseId => {
    const databases = createTestDatabases();

    it('answers each with a 400 that names the problem and stores nothing', async () => {
      const knex = await databases.init(databaseId);
      const backend = await startHostileBackend(knex);
      try {
        const s = await seed(backend.server, knex);
        const before = await settledSnapshot(knex);
        const post = (path: string, body: object, asService = false) =>
          request(backend.server)
            .post(`/api/mlops${path}`)
            .set('authorization', credentialsHeader(asService))
            .send(body);
        const mlflow = '/mlflow/api/2.0/mlflow';

        const native: Array<[request.Response, RegExp]> = [
          [
            await post(`/models/${s.model}/versions`, { runId: 'a\u0000b' }),
            /runId: must not contain control characters/,
          ],
          [
            await post('/models/a%00b/drift/current', { rows: [{ a: 1 }] }),
            /name: must not contain control characters/,
          ],
          [
            await post('/models/a%00b/versions/1/baseline', {
              rows: [{ a: 1 }],
            }),
            /name: must not contain control characters/,
          ],
          [
            await post(
              `/pipelines/${s.pipeline}/runs/${s.pipelineRunId}/stages/train%00`,
              { state: 'RUNNING' },
            ),
            /stage: must not contain control characters/,
          ],
          [
            await post('/incidents/a%00b/acknowledge', {}),
            /not an incident id/,
          ],
          [await post('/incidents/a%00b/resolve', {}), /not an incident id/],
          [
            await post(
              '/objects/register',
              {
                owner: 'not a ref:::',
                pipeline: { name: 'p-x' },
                model: { name: 'm-x' },
              },
              true,
            ),
            /owner: must be an entity reference/,
          ],
        ];
        for (const [response, message] of native) {
          expect({
            status: response.status,
            message: response.body.error?.message,
          }).toEqual({
            status: 400,
            message: expect.stringMatching(message),
          });
        }

        const mlflowAnswers: Array<[request.Response, RegExp]> = [
          [
            await post(`${mlflow}/runs/delete-tag`, {
              run_id: s.runId,
              key: 'team\u0000',
            }),
            /key/,
          ],
          [
            await post(`${mlflow}/model-versions/create`, {
              name: s.model,
              run_id: 'a\u0000b',
            }),
            /run_id: must not contain control characters/,
          ],
          [
            await post(`${mlflow}/model-versions/create`, {
              name: s.model,
              source: 's3://m/a\u0000b',
            }),
            /must not contain control characters/,
          ],
        ];
        for (const [response, message] of mlflowAnswers) {
          expect({
            status: response.status,
            code: response.body.error_code,
            message: response.body.message,
          }).toEqual({
            status: 400,
            code: 'INVALID_PARAMETER_VALUE',
            message: expect.stringMatching(message),
          });
        }
        expect(await settledSnapshot(knex)).toEqual(before);
      } finally {
        await backend.stop();
      }
    });
  },
);
