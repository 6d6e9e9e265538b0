import {
  AbortMultipartUploadCommand,
  CompleteMultipartUploadCommand,
  CreateMultipartUploadCommand,
  DeleteObjectsCommand,
  GetObjectCommand,
  ListObjectsV2Command,
  ListPartsCommand,
  PutObjectCommand,
  S3Client,
  UploadPartCommand,
} from '@aws-sdk/client-s3';
import { getSignedUrl } from '@aws-sdk/s3-request-presigner';
import {
  MlopsArtifactContent,
  MlopsArtifactFileInfo,
  MlopsArtifactMultipartUpload,
  MlopsArtifactStore,
  MlopsArtifactTooLargeError,
  MlopsArtifactUploadedPart,
} from '@backstage-mlops/plugin-mlops-node';
import { InputError, NotFoundError } from '@backstage/errors';
import { randomUUID } from 'node:crypto';
import { createReadStream } from 'node:fs';
import fs from 'node:fs/promises';
import os from 'node:os';
import nodePath from 'node:path';
import { Readable } from 'node:stream';
import { pipeline } from 'node:stream/promises';
import { ByteLimit } from './sizeLimit';
import { createUploadFile, removeUploadFile } from './uploadFile';

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

function isNoSuchUpload(error: unknown): boolean {
  const e = error as { name?: string; Code?: string };
  return e?.name === 'NoSuchUpload' || e?.Code === 'NoSuchUpload';
}

/** S3 compares ETags without their quotes. */
const bareEtag = (etag: string) => etag.trim().replace(/"/g, '');

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
    const file = createUploadFile(spool);
    try {
      await pipeline(body, file);
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
      await removeUploadFile(file);
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
  // Multipart uploads: S3's own, the client sending each part straight to
  // the bucket through a presigned UploadPart URL, as MLflow's server does.

  async createMultipartUpload(
    path: string,
    options: { numParts: number; expiresInSeconds: number },
  ): Promise<MlopsArtifactMultipartUpload> {
    const key = this.key(path);
    const { UploadId: uploadId } = await this.client.send(
      new CreateMultipartUploadCommand({ Bucket: this.bucket, Key: key }),
    );
    if (!uploadId) {
      throw new Error('The S3 store started a multipart upload without an id');
    }
    const parts = [];
    for (let partNumber = 1; partNumber <= options.numParts; partNumber++) {
      const url = await getSignedUrl(
        this.client,
        new UploadPartCommand({
          Bucket: this.bucket,
          Key: key,
          UploadId: uploadId,
          PartNumber: partNumber,
        }),
        { expiresIn: options.expiresInSeconds },
      );
      parts.push({ partNumber, url, headers: {} });
    }
    return { uploadId, parts };
  }

  /** What S3 holds of the upload: each part's ETag and size. */
  private async uploadedParts(
    key: string,
    uploadId: string,
  ): Promise<Map<number, { etag: string; size: number }>> {
    const parts = new Map<number, { etag: string; size: number }>();
    let marker: string | undefined;
    for (;;) {
      const page = await this.client.send(
        new ListPartsCommand({
          Bucket: this.bucket,
          Key: key,
          UploadId: uploadId,
          PartNumberMarker: marker,
        }),
      );
      for (const part of page.Parts ?? []) {
        parts.set(part.PartNumber!, {
          etag: bareEtag(part.ETag ?? ''),
          size: part.Size ?? 0,
        });
      }
      if (!page.IsTruncated || !page.NextPartNumberMarker) return parts;
      marker = page.NextPartNumberMarker;
    }
  }

  async completeMultipartUpload(
    path: string,
    uploadId: string,
    parts: MlopsArtifactUploadedPart[],
    options: { maxBytes: number },
  ): Promise<{ size: number }> {
    const key = this.key(path);
    let uploaded: Map<number, { etag: string; size: number }>;
    try {
      uploaded = await this.uploadedParts(key, uploadId);
    } catch (error) {
      if (isNoSuchUpload(error) || isNotFound(error)) {
        throw new NotFoundError(
          `No multipart upload ${uploadId} of ${path} in progress`,
        );
      }
      throw error;
    }
    if (parts.length === 0) {
      throw new InputError('A multipart upload needs at least one part');
    }
    // Checked here, not only by S3, so that the size is known before the
    // object exists: an upload past the limit never replaces a file.
    let total = 0;
    for (const [index, part] of parts.entries()) {
      if (index > 0 && part.partNumber <= parts[index - 1].partNumber) {
        throw new InputError(
          'The parts must be listed in ascending order of part number, each once',
        );
      }
      const stored = uploaded.get(part.partNumber);
      if (!stored || stored.etag !== bareEtag(part.etag)) {
        throw new InputError(
          `Part ${
            part.partNumber
          } was not uploaded with the ETag ${JSON.stringify(part.etag)}`,
        );
      }
      total += stored.size;
    }
    if (total > options.maxBytes) {
      await this.abortMultipartUpload(path, uploadId);
      throw new MlopsArtifactTooLargeError(options.maxBytes);
    }
    try {
      await this.client.send(
        new CompleteMultipartUploadCommand({
          Bucket: this.bucket,
          Key: key,
          UploadId: uploadId,
          MultipartUpload: {
            Parts: parts.map(p => ({ PartNumber: p.partNumber, ETag: p.etag })),
          },
        }),
      );
    } catch (error) {
      const name = (error as { name?: string })?.name;
      if (isNoSuchUpload(error)) {
        throw new NotFoundError(
          `No multipart upload ${uploadId} of ${path} in progress`,
        );
      }
      // S3 refuses parts below 5 MiB but the last (EntityTooSmall), and
      // parts it has not got (InvalidPart): the client's mistakes.
      if (
        name === 'EntityTooSmall' ||
        name === 'InvalidPart' ||
        name === 'InvalidPartOrder'
      ) {
        throw new InputError(
          `The object store refused the parts (${name}): ${
            (error as Error).message
          }`,
        );
      }
      throw error;
    }
    return { size: total };
  }

  async abortMultipartUpload(path: string, uploadId: string): Promise<void> {
    try {
      await this.client.send(
        new AbortMultipartUploadCommand({
          Bucket: this.bucket,
          Key: this.key(path),
          UploadId: uploadId,
        }),
      );
    } catch (error) {
      if (isNoSuchUpload(error) || isNotFound(error)) return;
      throw error;
    }
  }
}

function joinPath(parent: string, name: string): string {
  return parent === '' ? name : `${parent}/${name}`;
}
