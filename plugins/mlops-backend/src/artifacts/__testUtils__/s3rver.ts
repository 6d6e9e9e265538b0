import fs from 'node:fs/promises';
import os from 'node:os';
import nodePath from 'node:path';
// s3rver has no type declarations of its own.
// eslint-disable-next-line @typescript-eslint/no-require-imports
const S3rver = require('s3rver');

/** A running s3rver with one bucket, and how to stop it. */
export interface RunningS3rver {
  endpoint: string;
  bucket: string;
  close(): Promise<void>;
}

interface KoaContext {
  method: string;
  path: string;
  query: Record<string, unknown>;
  status: number;
  type: string;
  body: unknown;
}

/**
 * s3rver 3.7 has S3's multipart upload but not two of its calls: ListParts
 * (`GET <key>?uploadId=`) and AbortMultipartUpload (`DELETE
 * <key>?uploadId=`), answering both with 405. Every S3 and S3-compatible
 * server the store is meant for has them, and the S3 store needs them, so
 * the tests add the two, over s3rver's own folder of uploads (one folder
 * per upload with its key and the parts by number, each with its `.md5`),
 * in front of s3rver's router. Everything else is s3rver's.
 */
function listPartsAndAbort(server: any) {
  return async (ctx: KoaContext, next: () => Promise<unknown>) => {
    const match = /^\/([^/]+)\/(.+)$/.exec(ctx.path);
    const uploadId = ctx.query.uploadId;
    if (
      !match ||
      typeof uploadId !== 'string' ||
      !/^[0-9a-f]+$/.test(uploadId) ||
      (ctx.method !== 'GET' && ctx.method !== 'DELETE')
    ) {
      await next();
      return;
    }
    const bucket = match[1];
    const dir = nodePath.join(
      server.store.getResourcePath(bucket, undefined, 'uploads'),
      uploadId,
    );
    const key = await fs
      .readFile(nodePath.join(dir, 'key'), 'utf8')
      .catch(() => undefined);
    // S3 knows an upload only under the key it was started for.
    if (key === undefined || key !== match[2]) {
      ctx.status = 404;
      ctx.type = 'application/xml';
      ctx.body =
        '<?xml version="1.0" encoding="UTF-8"?>\n<Error><Code>NoSuchUpload</Code>' +
        '<Message>The specified upload does not exist.</Message></Error>';
      return;
    }
    if (ctx.method === 'DELETE') {
      await fs.rm(dir, { recursive: true, force: true });
      ctx.status = 204;
      ctx.body = '';
      return;
    }
    const numbers = (await fs.readdir(dir))
      .filter(name => /^\d+$/.test(name))
      .map(Number)
      .sort((a, b) => a - b);
    const parts = [];
    for (const number of numbers) {
      const file = nodePath.join(dir, String(number));
      const [stat, md5] = await Promise.all([
        fs.stat(file),
        fs.readFile(`${file}.md5`, 'utf8'),
      ]);
      parts.push({ PartNumber: number, ETag: `"${md5}"`, Size: stat.size });
    }
    ctx.body = {
      ListPartsResult: {
        Bucket: bucket,
        Key: key,
        UploadId: uploadId,
        IsTruncated: false,
        ...(parts.length ? { Part: parts } : {}),
      },
    };
  };
}

/**
 * Starts s3rver (a real S3-compatible HTTP server from npm) on `port` with
 * one bucket, in a temporary folder removed on close.
 */
export async function startS3rver(options: {
  port: number;
  bucket: string;
}): Promise<RunningS3rver> {
  const dir = await fs.mkdtemp(nodePath.join(os.tmpdir(), 'mlops-s3rver-'));
  const server = new S3rver({
    port: options.port,
    address: '127.0.0.1',
    silent: true,
    directory: dir,
    configureBuckets: [{ name: options.bucket }],
  });
  // Koa composes its middleware when it starts listening: the two calls go
  // just before s3rver's router, after its XML rendering.
  server.middleware.splice(
    server.middleware.length - 1,
    0,
    listPartsAndAbort(server),
  );
  await server.run();
  return {
    endpoint: `http://127.0.0.1:${options.port}`,
    bucket: options.bucket,
    async close() {
      await new Promise(resolve => server.close(resolve));
      await fs.rm(dir, { recursive: true, force: true });
    },
  };
}
