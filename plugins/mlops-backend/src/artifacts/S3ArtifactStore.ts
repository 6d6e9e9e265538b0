import {
  DeleteObjectsCommand,
  GetObjectCommand,
  ListObjectsV2Command,
  PutObjectCommand,
  S3Client,
} from '@aws-sdk/client-s3';
import {
  MlopsArtifactContent,
  MlopsArtifactFileInfo,
  MlopsArtifactStore,
} from '@backstage-mlops/plugin-mlops-node';
import { randomUUID } from 'node:crypto';
import { createReadStream, createWriteStream } from 'node:fs';
import fs from 'node:fs/promises';
import os from 'node:os';
import nodePath from 'node:path';
import { Readable } from 'node:stream';
import { pipeline } from 'node:stream/promises';
import { ByteLimit } from './sizeLimit';

/** Where an S3-compatible artifact store keeps its objects. */
export interface S3ArtifactStoreOptions {
  bucket: string;
  /** Key prefix every artifact goes under, without leading or trailing `/`. */
  prefix?: string;
  region?: string;
  /** For S3-compatible servers (MinIO, Ceph, …); AWS when unset. */
  endpoint?: string;
  /** Path-style URLs (`endpoint/bucket/key`), which most S3-compatible servers want. */
  forcePathStyle?: boolean;
  /** Static credentials; otherwise the AWS SDK's default chain. */
  credentials?: { accessKeyId: string; secretAccessKey: string };
}

function isNotFound(error: unknown): boolean {
  const e = error as { name?: string; $metadata?: { httpStatusCode?: number } };
  return (
    e?.name === 'NoSuchKey' ||
    e?.name === 'NotFound' ||
    e?.$metadata?.httpStatusCode === 404
  );
}

/**
 * Artifacts as objects in an S3-compatible bucket. Paths arrive checked by
 * the backend's path rule, and keys are only ever built as
 * `<prefix>/<path>`, so an artifact cannot land outside the prefix.
 */
export class S3ArtifactStore implements MlopsArtifactStore {
  readonly type = 's3';

  private readonly client: S3Client;
  private readonly bucket: string;
  private readonly prefix: string;

  constructor(options: S3ArtifactStoreOptions, client?: S3Client) {
    this.bucket = options.bucket;
    this.prefix = (options.prefix ?? '').replace(/^\/+|\/+$/g, '');
    this.client =
      client ??
      new S3Client({
        region: options.region ?? 'us-east-1',
        endpoint: options.endpoint,
        forcePathStyle: options.forcePathStyle ?? Boolean(options.endpoint),
        credentials: options.credentials,
        // Checksums only where S3 requires them: a streamed body then goes
        // out as plain bytes with its length, which every S3-compatible
        // server understands (aws-chunked trailers are not universal).
        requestChecksumCalculation: 'WHEN_REQUIRED',
        responseChecksumValidation: 'WHEN_REQUIRED',
      });
  }

  private key(path: string): string {
    return [this.prefix, path].filter(p => p !== '').join('/');
  }

  async write(
    path: string,
    body: Readable,
    options: { contentLength?: number; contentType?: string } = {},
  ): Promise<{ size: number }> {
    if (options.contentLength !== undefined) {
      // A counting pass-through, not a 'data' listener: that would start
      // the stream flowing before the SDK reads it, and lose the bytes.
      const counted = new ByteLimit(Number.POSITIVE_INFINITY);
      body.on('error', error => counted.destroy(error));
      body.pipe(counted);
      await this.client.send(
        new PutObjectCommand({
          Bucket: this.bucket,
          Key: this.key(path),
          Body: counted,
          ContentLength: options.contentLength,
          ContentType: options.contentType,
        }),
      );
      return { size: counted.bytes };
    }
    // PutObject needs the length up front; a chunked upload is spooled to
    // a temporary file (disk, not memory) to learn it.
    const spool = nodePath.join(os.tmpdir(), `mlops-artifact-${randomUUID()}`);
    try {
      await pipeline(body, createWriteStream(spool, { flags: 'wx' }));
      const { size } = await fs.stat(spool);
      await this.client.send(
        new PutObjectCommand({
          Bucket: this.bucket,
          Key: this.key(path),
          Body: createReadStream(spool),
          ContentLength: size,
          ContentType: options.contentType,
        }),
      );
      return { size };
    } finally {
      await fs.rm(spool, { force: true });
    }
  }

  async read(path: string): Promise<MlopsArtifactContent | undefined> {
    try {
      const object = await this.client.send(
        new GetObjectCommand({ Bucket: this.bucket, Key: this.key(path) }),
      );
      return {
        stream: object.Body as Readable,
        size: object.ContentLength,
      };
    } catch (error) {
      if (isNotFound(error)) return undefined;
      throw error;
    }
  }

  async list(path: string): Promise<MlopsArtifactFileInfo[]> {
    const base = this.key(path);
    const prefix = base === '' ? '' : `${base}/`;
    const files: MlopsArtifactFileInfo[] = [];
    let token: string | undefined;
    do {
      const page = await this.client.send(
        new ListObjectsV2Command({
          Bucket: this.bucket,
          Prefix: prefix,
          Delimiter: '/',
          ContinuationToken: token,
        }),
      );
      for (const common of page.CommonPrefixes ?? []) {
        const name = common.Prefix!.slice(prefix.length).replace(/\/$/, '');
        if (name) files.push({ path: joinPath(path, name), isDir: true });
      }
      for (const object of page.Contents ?? []) {
        const name = object.Key!.slice(prefix.length);
        if (name) {
          files.push({
            path: joinPath(path, name),
            isDir: false,
            size: object.Size,
          });
        }
      }
      token = page.IsTruncated ? page.NextContinuationToken : undefined;
    } while (token);
    return files.sort((a, b) => (a.path < b.path ? -1 : 1));
  }

  async delete(path: string): Promise<void> {
    const key = this.key(path);
    const keys = [key];
    let token: string | undefined;
    do {
      const page = await this.client.send(
        new ListObjectsV2Command({
          Bucket: this.bucket,
          Prefix: `${key}/`,
          ContinuationToken: token,
        }),
      );
      keys.push(...(page.Contents ?? []).map(o => o.Key!));
      token = page.IsTruncated ? page.NextContinuationToken : undefined;
    } while (token);
    // DeleteObjects takes at most 1000 keys a call.
    for (let i = 0; i < keys.length; i += 1000) {
      await this.client.send(
        new DeleteObjectsCommand({
          Bucket: this.bucket,
          Delete: { Objects: keys.slice(i, i + 1000).map(Key => ({ Key })) },
        }),
      );
    }
  }
}

function joinPath(parent: string, name: string): string {
  return parent === '' ? name : `${parent}/${name}`;
}
