import {
  MlopsArtifactStore,
  mlopsArtifactStoreExtensionPoint,
} from '@backstage-mlops/plugin-mlops-node';
import { createBackendModule } from '@backstage/backend-plugin-api';
import { mockCredentials } from '@backstage/backend-test-utils';
import { createHash, createHmac } from 'node:crypto';
import fs from 'node:fs/promises';
import http from 'node:http';
import os from 'node:os';
import nodePath from 'node:path';
import request from 'supertest';
import { createTestDatabases } from '../__testUtils__/databases';
import { startMlopsTestBackend } from '../__testUtils__/mlopsBackend';
import { PART_SIGNATURE_HEADER } from './MultipartUploads';
import { RunningS3rver, startS3rver } from './__testUtils__/s3rver';

jest.setTimeout(180_000);

const MLFLOW = '/api/mlops/mlflow/api/2.0/mlflow';
const PROXY = '/api/mlops/mlflow/api/2.0/mlflow-artifacts';
const MiB = 1024 * 1024;
/** Above two 5 MiB parts and a small last one, below three full ones. */
const LIMIT = 12 * MiB;
const SIGNING_KEY = 'a test key of the part URLs, 32+ characters long';
const BACKEND_URL = 'http://portal-backend.example:7007';
const S3_PORT = 7233;
const BUCKET = 'mlops-multipart-test';

/** Parts with content that differs by position, so an order mix-up shows. */
function partsOf(sizes: number[]): Buffer[] {
  return sizes.map((size, n) => {
    const part = Buffer.alloc(size);
    for (let i = 0; i < size; i++) part[i] = (i * 13 + n * 101) % 256;
    return part;
  });
}
const md5 = (data: Buffer) => createHash('md5').update(data).digest('hex');

interface Credential {
  url: string;
  part_number: number;
  headers: Record<string, string>;
}

/*
 * MLflow's proxied multipart upload (MLflow 2.17+ with
 * MLFLOW_ENABLE_PROXY_MULTIPART_UPLOAD) through the real plugin, for both
 * built-in stores, on SQLite and PostgreSQL. The requests are the ones
 * MLflow's HttpArtifactRepository sends: `mpu/create/<folder>` with the
 * local file's path and the number of parts, a PUT of each part to
 * `credentials[i].url` with `credentials[i].headers` and nothing else (no
 * tracking token), `mpu/complete/<folder>` with every part's ETag, and
 * `mpu/abort/<folder>` after any failure.
 */
describe('multipart uploads through the MLflow artifact proxy', () => {
  const databases = createTestDatabases();
  let s3: RunningS3rver;
  let dir: string;

  beforeAll(async () => {
    s3 = await startS3rver({ port: S3_PORT, bucket: BUCKET });
    dir = await fs.mkdtemp(nodePath.join(os.tmpdir(), 'mlops-multipart-'));
    await fs.mkdir(nodePath.join(dir, 'outside'));
  });
  afterAll(async () => {
    await s3?.close();
    await fs.rm(dir, { recursive: true, force: true });
  });

  describe.each(databases.eachSupportedId())('on %p', databaseId => {
    describe.each(['filesystem', 's3'] as const)('with the %s store', type => {
      let server: http.Server;
      let root: string;
      const auth = mockCredentials.service.header();

      beforeAll(async () => {
        root = nodePath.join(dir, `${databaseId}-${type}`);
        const knex = await databases.init(databaseId);
        ({ server } = await startMlopsTestBackend({
          knex,
          config: {
            backend: { baseUrl: BACKEND_URL },
            mlops: {
              artifacts: {
                store: type,
                maxFileBytes: LIMIT,
                filesystem: { root },
                s3: {
                  bucket: BUCKET,
                  prefix: `${databaseId}/artifacts`,
                  endpoint: s3.endpoint,
                  region: 'us-east-1',
                  accessKeyId: 'S3RVER',
                  secretAccessKey: 'S3RVER',
                },
                multipart: { signingKey: SIGNING_KEY },
              },
            },
          },
        }));
      });

      async function newRunFolder(name: string) {
        const experiment = await request(server)
          .post(`${MLFLOW}/experiments/create`)
          .set('Authorization', auth)
          .send({ name: `${type}-${name}` });
        const run = await request(server)
          .post(`${MLFLOW}/runs/create`)
          .set('Authorization', auth)
          .send({ experiment_id: experiment.body.experiment_id });
        const uri: string = run.body.run.info.artifact_uri;
        return {
          runId: run.body.run.info.run_id as string,
          folder: uri.replace(/^mlflow-artifacts:\//, ''),
        };
      }

      const mpu = (
        op: 'create' | 'complete' | 'abort',
        folder: string,
        body: object,
      ) =>
        request(server)
          .post(`${PROXY}/mpu/${op}/${folder}`)
          .set('Authorization', auth)
          .send(body);

      /** A PUT as MLflow's client sends it: the URL and its headers only. */
      async function putPart(credential: Credential, data: Buffer) {
        if (credential.url.startsWith(s3.endpoint)) {
          const response = await fetch(credential.url, {
            method: 'PUT',
            headers: credential.headers,
            body: data,
          });
          return {
            status: response.status,
            etag: response.headers.get('etag'),
            body: await response.text(),
          };
        }
        // The portal's own part URL, sent to the server under test.
        const url = new URL(credential.url);
        const response = await request(server)
          .put(`${url.pathname}${url.search}`)
          .set(credential.headers)
          .set('Content-Type', 'application/octet-stream')
          .send(data);
        return {
          status: response.status,
          etag: response.headers.etag as string | undefined,
          body: response.body,
        };
      }

      async function download(path: string) {
        return request(server)
          .get(`${PROXY}/artifacts/${path}`)
          .set('Authorization', auth)
          .buffer(true)
          .parse((res, done) => {
            const chunks: Buffer[] = [];
            res.on('data', (c: Buffer) => chunks.push(c));
            res.on('end', () => done(null, Buffer.concat(chunks)));
          });
      }

      async function stagedUploads() {
        if (type !== 'filesystem') return [];
        return (await fs.readdir(nodePath.join(root, '.mlops-uploads'))).filter(
          n => n.startsWith('mpu-'),
        );
      }

      it('uploads a file in parts as MLflow’s client does, and downloads it whole', async () => {
        const { runId, folder } = await newRunFolder('round-trip');
        const parts = partsOf([5 * MiB, 5 * MiB, 4321]);
        const created = await mpu('create', `${folder}/model`, {
          path: '/home/ds/outputs/weights.bin',
          num_parts: 3,
        });
        expect(created.status).toBe(200);
        const credentials: Credential[] = created.body.credentials;
        expect(created.body.upload_id).toEqual(expect.any(String));
        expect(credentials.map(c => c.part_number)).toEqual([1, 2, 3]);
        // The portal's own part route at the backend's external address,
        // or the bucket's presigned URLs.
        const partUrls =
          type === 'filesystem'
            ? `${BACKEND_URL}/api/mlops/mlflow/api/2.0/mlflow-artifacts/mpu/part/${folder}/model/weights.bin?`
            : `${s3.endpoint}/${BUCKET}/${databaseId}/artifacts/${folder}/model/weights.bin?`;
        // The portal signs each part in a header, never in the URL, which
        // request logs write (an HMAC-SHA256, base64url); S3's presigned
        // URLs need no headers.
        const signed = expect.stringMatching(/^[A-Za-z0-9_-]{43}$/);
        const partHeaders =
          type === 'filesystem' ? { [PART_SIGNATURE_HEADER]: signed } : {};
        for (const credential of credentials) {
          expect(credential.url.slice(0, partUrls.length)).toBe(partUrls);
          expect(credential.headers).toEqual(partHeaders);
          expect(new URL(credential.url).searchParams.has('signature')).toBe(
            false,
          );
          for (const value of Object.values(credential.headers)) {
            expect(credential.url).not.toContain(value);
          }
        }

        // MLflow's client sends the parts in parallel.
        const sent = await Promise.all(
          credentials.map(c => putPart(c, parts[c.part_number - 1])),
        );
        for (const [i, part] of sent.entries()) {
          expect(part.status).toBe(200);
          expect(part.etag).toBe(`"${md5(parts[i])}"`);
        }
        // Nothing is there before the upload completes.
        expect((await download(`${folder}/model/weights.bin`)).status).toBe(
          404,
        );

        const completed = await mpu('complete', `${folder}/model`, {
          path: '/home/ds/outputs/weights.bin',
          upload_id: created.body.upload_id,
          parts: credentials.map((c, i) => ({
            part_number: c.part_number,
            etag: sent[i].etag,
            url: c.url,
          })),
        });
        expect(completed.status).toBe(200);
        expect(completed.body).toEqual({});

        const downloaded = await download(`${folder}/model/weights.bin`);
        expect(downloaded.status).toBe(200);
        expect(downloaded.body.length).toBe(10 * MiB + 4321);
        expect(md5(downloaded.body)).toBe(md5(Buffer.concat(parts)));
        const listed = await request(server)
          .get(`${MLFLOW}/artifacts/list`)
          .set('Authorization', auth)
          .query({ run_id: runId, path: 'model' });
        expect(listed.body.files).toEqual([
          {
            path: 'model/weights.bin',
            is_dir: false,
            file_size: 10 * MiB + 4321,
          },
        ]);
        expect(await stagedUploads()).toEqual([]);
      });

      it('takes the file name from a Windows path, and answers the MLflow numbers as numbers', async () => {
        const { folder } = await newRunFolder('windows');
        const created = await mpu('create', folder, {
          path: 'C:\\Users\\ds\\model.pkl',
          num_parts: '1',
        });
        expect(created.status).toBe(200);
        const [credential] = created.body.credentials as Credential[];
        expect(credential.part_number).toBe(1);
        const [part] = partsOf([100]);
        const sent = await putPart(credential, part);
        const completed = await mpu('complete', folder, {
          path: 'C:\\Users\\ds\\model.pkl',
          upload_id: created.body.upload_id,
          parts: [{ part_number: '1', etag: sent.etag }],
        });
        expect(completed.status).toBe(200);
        expect(md5((await download(`${folder}/model.pkl`)).body)).toBe(
          md5(part),
        );
      });

      it('aborting leaves nothing behind', async () => {
        const { folder } = await newRunFolder('abort');
        const created = await mpu('create', folder, {
          path: 'big.bin',
          num_parts: 2,
        });
        const credentials: Credential[] = created.body.credentials;
        const parts = partsOf([5 * MiB, 10]);
        const [first] = await Promise.all([putPart(credentials[0], parts[0])]);
        expect(first.status).toBe(200);
        const aborted = await mpu('abort', folder, {
          path: 'big.bin',
          upload_id: created.body.upload_id,
        });
        expect(aborted.status).toBe(200);
        expect(aborted.body).toEqual({});
        // MLflow's client may abort after a failed complete: no error twice.
        expect(
          (
            await mpu('abort', folder, {
              path: 'big.bin',
              upload_id: created.body.upload_id,
            })
          ).status,
        ).toBe(200);

        const completed = await mpu('complete', folder, {
          path: 'big.bin',
          upload_id: created.body.upload_id,
          parts: [{ part_number: 1, etag: first.etag }],
        });
        expect(completed.status).toBe(404);
        expect(completed.body.error_code).toBe('RESOURCE_DOES_NOT_EXIST');
        // A part URL of an aborted upload stores nothing (the portal's
        // answers 404; S3 does too, but s3rver takes the part).
        const lateStatus =
          type === 'filesystem'
            ? (await putPart(credentials[1], parts[1])).status
            : 404;
        expect(lateStatus).toBe(404);
        const listing = await request(server)
          .get(`${PROXY}/artifacts`)
          .set('Authorization', auth)
          .query({ path: folder });
        expect(listing.body).toEqual({ files: [] });
        expect(await stagedUploads()).toEqual([]);
      });

      it('refuses a file past mlops.artifacts.maxFileBytes with a 413 and keeps nothing', async () => {
        const { folder } = await newRunFolder('too-big');
        const created = await mpu('create', folder, {
          path: 'huge.bin',
          num_parts: 3,
        });
        const credentials: Credential[] = created.body.credentials;
        const parts = partsOf([5 * MiB, 5 * MiB, 5 * MiB]);
        const sent = [];
        for (const c of credentials) {
          const part = await putPart(c, parts[c.part_number - 1]);
          expect(part.status).toBe(200);
          sent.push({ part_number: c.part_number, etag: part.etag });
        }
        const completed = await mpu('complete', folder, {
          path: 'huge.bin',
          upload_id: created.body.upload_id,
          parts: sent,
        });
        expect(completed.status).toBe(413);
        expect(completed.body.error_code).toBe('RESOURCE_LIMIT_EXCEEDED');
        expect(completed.body.message).toContain(String(LIMIT));
        expect((await download(`${folder}/huge.bin`)).status).toBe(404);
        // The client aborts after the failure; that must not hide the 413.
        expect(
          (
            await mpu('abort', folder, {
              path: 'huge.bin',
              upload_id: created.body.upload_id,
            })
          ).status,
        ).toBe(200);
        expect(await stagedUploads()).toEqual([]);
      });

      it('refuses parts whose ETags do not match what was uploaded', async () => {
        const { folder } = await newRunFolder('etags');
        const created = await mpu('create', folder, {
          path: 'data.bin',
          num_parts: 1,
        });
        const [credential] = created.body.credentials as Credential[];
        const sent = await putPart(credential, partsOf([2000])[0]);
        const completed = await mpu('complete', folder, {
          path: 'data.bin',
          upload_id: created.body.upload_id,
          parts: [{ part_number: 1, etag: `"${'f'.repeat(32)}"` }],
        });
        expect(completed.status).toBe(400);
        expect(completed.body.error_code).toBe('INVALID_PARAMETER_VALUE');
        expect(completed.body.message).toMatch(/Part 1/);
        // Another file's name, or another folder, is not this upload.
        for (const [at, path] of [
          [folder, 'other.bin'],
          [`${folder}/sub`, 'data.bin'],
        ]) {
          const elsewhere = await mpu('complete', at, {
            path,
            upload_id: created.body.upload_id,
            parts: [{ part_number: 1, etag: sent.etag }],
          });
          expect(elsewhere.status).toBe(404);
        }
        expect((await download(`${folder}/data.bin`)).status).toBe(404);
        await mpu('abort', folder, {
          path: 'data.bin',
          upload_id: created.body.upload_id,
        });
        expect(await stagedUploads()).toEqual([]);
      });

      it('refuses path attacks with a 400 and writes nothing', async () => {
        const { folder } = await newRunFolder('attacks');
        const folders = [
          `${folder}/%2E%2E/%2E%2E/%2E%2E/outside`,
          `${folder}/..%2F..%2F..%2Foutside`,
          `${folder}/%252E%252E/%252E%252E/%252E%252E/outside`,
          `%2Fetc`,
          `C:%5Cwindows`,
          `${folder}/a%00b`,
          `${folder}/a%23b`,
        ];
        for (const at of folders) {
          const created = await mpu('create', at, {
            path: 'x.bin',
            num_parts: 1,
          });
          expect({ at, status: created.status }).toEqual({ at, status: 400 });
          expect(created.body.error_code).toBe('INVALID_PARAMETER_VALUE');
        }
        for (const localPath of [
          '..',
          'C:\\Users\\..',
          '/tmp/a#b',
          '%2E%2E',
          'x\u0000y',
          '/',
        ]) {
          const created = await mpu('create', folder, {
            path: localPath,
            num_parts: 1,
          });
          expect({ localPath, status: created.status }).toEqual({
            localPath,
            status: 400,
          });
        }
        // Attacks on the part route are refused before its signature is read.
        const part = await request(server)
          .put(`${PROXY}/mpu/part/${folder}/%2E%2E/%2E%2E/%2E%2E/outside/x.bin`)
          .send(Buffer.from('x'));
        expect(part.status).toBe(400);
        expect(await fs.readdir(nodePath.join(dir, 'outside'))).toEqual([]);
        expect(await stagedUploads()).toEqual([]);
      });

      it('needs the experiment to exist, and credentials', async () => {
        const unknown = await mpu('create', '987654/r/artifacts', {
          path: 'x.bin',
          num_parts: 1,
        });
        expect(unknown.status).toBe(404);
        expect(unknown.body.error_code).toBe('RESOURCE_DOES_NOT_EXIST');
        for (const op of ['create', 'complete', 'abort']) {
          const anonymous = await request(server)
            .post(`${PROXY}/mpu/${op}/1/r/artifacts`)
            .send({ path: 'x.bin', num_parts: 1, upload_id: 'u', parts: [] });
          expect(anonymous.status).toBe(401);
          expect(anonymous.body.error_code).toBe('UNAUTHENTICATED');
        }
      });

      if (type === 'filesystem') {
        /** The signature as the backend computes it, with the configured key. */
        const signature = (
          path: string,
          uploadId: string,
          partNumber: number,
          expires: number,
        ) =>
          createHmac('sha256', SIGNING_KEY)
            .update(
              ['mlops-artifact-part', path, uploadId, partNumber, expires].join(
                '\n',
              ),
            )
            .digest('base64url');

        it('refuses parts with a missing, bad or expired signature with a 403, writing nothing', async () => {
          const { folder } = await newRunFolder('signatures');
          const path = `${folder}/signed.bin`;
          const created = await mpu('create', folder, {
            path: 'signed.bin',
            num_parts: 2,
          });
          const uploadId: string = created.body.upload_id;
          const [credential] = created.body.credentials as Credential[];
          const url = new URL(credential.url);
          const validSignature = credential.headers[PART_SIGNATURE_HEADER];
          const at = (
            query: Record<string, string>,
            partSignature: string | null = validSignature,
            filePath = path,
          ): Credential => ({
            url: `${BACKEND_URL}${PROXY}/mpu/part/${filePath}?${new URLSearchParams(
              query,
            )}`,
            part_number: 1,
            headers:
              partSignature === null
                ? {}
                : { [PART_SIGNATURE_HEADER]: partSignature },
          });
          const valid = Object.fromEntries(url.searchParams);
          const now = Math.floor(Date.now() / 1000);
          const forged: Array<[string, Credential]> = [
            ['no query', at({})],
            ['no signature header', at(valid, null)],
            ['an empty signature header', at(valid, '')],
            // The URL form would put the credential in request logs.
            [
              'the signature in the query instead of the header',
              at({ ...valid, signature: validSignature }, null),
            ],
            ['tampered signature', at(valid, `x${validSignature.slice(1)}`)],
            ['another part number', at({ ...valid, part_number: '2' })],
            ['a later expiry', at({ ...valid, expires: String(now + 7200) })],
            ['another file', at(valid, validSignature, `${folder}/other.bin`)],
            [
              'another upload',
              at({
                ...valid,
                upload_id: '00000000-0000-4000-8000-000000000000',
              }),
            ],
            [
              'expired, signed with the right key',
              at(
                { ...valid, expires: String(now - 5) },
                signature(path, uploadId, 1, now - 5),
              ),
            ],
          ];
          for (const [label, forgedCredential] of forged) {
            const response = await putPart(
              forgedCredential,
              Buffer.from('evil'),
            );
            expect({ label, status: response.status }).toEqual({
              label,
              status: 403,
            });
            expect(response.body.error_code).toBe('PERMISSION_DENIED');
            // Nothing of the key or the expected signature in the answer.
            expect(JSON.stringify(response.body)).not.toContain(SIGNING_KEY);
            expect(JSON.stringify(response.body)).not.toContain(validSignature);
          }
          // The same computation with a future expiry is accepted: the
          // refusals above are the signature's doing.
          const resigned = at(
            { ...valid, expires: String(now + 60) },
            signature(path, uploadId, 1, now + 60),
          );
          expect((await putPart(resigned, Buffer.from('good'))).status).toBe(
            200,
          );

          const staging = nodePath.join(
            root,
            '.mlops-uploads',
            `mpu-${uploadId}`,
          );
          expect((await fs.readdir(staging)).sort()).toEqual([
            `part-1-${md5(Buffer.from('good'))}`,
            'upload.json',
          ]);
          await mpu('abort', folder, {
            path: 'signed.bin',
            upload_id: uploadId,
          });
        });

        it('refuses a part past the limit with a 413 while it streams in', async () => {
          const { folder } = await newRunFolder('big-part');
          const created = await mpu('create', folder, {
            path: 'part.bin',
            num_parts: 1,
          });
          const [credential] = created.body.credentials as Credential[];
          const response = await putPart(credential, Buffer.alloc(LIMIT + 1));
          expect(response.status).toBe(413);
          expect(response.body.error_code).toBe('RESOURCE_LIMIT_EXCEEDED');
          const staging = nodePath.join(
            root,
            '.mlops-uploads',
            `mpu-${created.body.upload_id}`,
          );
          expect(await fs.readdir(staging)).toEqual(['upload.json']);
          await mpu('abort', folder, {
            path: 'part.bin',
            upload_id: created.body.upload_id,
          });
        });
      }
    });
  });

  describe('with a store that has no multipart uploads', () => {
    it('answers MLflow’s “not supported” error, on which its client uploads in one PUT', async () => {
      const files = new Map<string, Buffer>();
      const plainStore: MlopsArtifactStore = {
        type: 'plain',
        async write(path, body) {
          const chunks: Buffer[] = [];
          for await (const chunk of body) chunks.push(chunk as Buffer);
          files.set(path, Buffer.concat(chunks));
          return { size: files.get(path)!.length };
        },
        async read() {
          return undefined;
        },
        async list() {
          return [];
        },
        async delete() {},
      };
      const { server } = await startMlopsTestBackend({
        knex: await databases.init('SQLITE_3'),
        features: [
          createBackendModule({
            pluginId: 'mlops',
            moduleId: 'plain-artifact-store',
            register(env) {
              env.registerInit({
                deps: { artifacts: mlopsArtifactStoreExtensionPoint },
                async init({ artifacts }) {
                  artifacts.setArtifactStore(plainStore);
                },
              });
            },
          }),
        ],
      });
      const auth = mockCredentials.service.header();
      for (const [op, body] of [
        ['create', { path: 'big.bin', num_parts: 2 }],
        [
          'complete',
          {
            path: 'big.bin',
            upload_id: 'u',
            parts: [{ part_number: 1, etag: 'e' }],
          },
        ],
        ['abort', { path: 'big.bin', upload_id: 'u' }],
      ] as const) {
        const response = await request(server)
          .post(`${PROXY}/mpu/${op}/1/x/artifacts`)
          .set('Authorization', auth)
          .send(body);
        expect(response.status).toBe(501);
        expect(response.body).toEqual({
          error_code: 'NOT_IMPLEMENTED',
          message:
            'Multipart upload is not supported for the current artifact repository',
        });
      }
      // The fallback works: one PUT.
      const experiment = await request(server)
        .post(`${MLFLOW}/experiments/create`)
        .set('Authorization', auth)
        .send({ name: 'plain' });
      const put = await request(server)
        .put(
          `${PROXY}/artifacts/${experiment.body.experiment_id}/r/artifacts/big.bin`,
        )
        .set('Authorization', auth)
        .send(Buffer.from('whole file'));
      expect(put.status).toBe(200);
      expect(
        files
          .get(`${experiment.body.experiment_id}/r/artifacts/big.bin`)
          ?.toString(),
      ).toBe('whole file');
    });
  });
});
