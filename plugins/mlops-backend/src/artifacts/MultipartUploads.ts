import {
  MlopsArtifactStore,
  MlopsArtifactUploadedPart,
} from '@backstage-mlops/plugin-mlops-node';
import { createHmac, randomBytes, timingSafeEqual } from 'node:crypto';
import { Readable } from 'node:stream';
import { MlflowError } from '../mlflow';

/** The text MLflow's client looks for to fall back to a single PUT. */
export const MULTIPART_UNSUPPORTED =
  'Multipart upload is not supported for the current artifact repository';

/** S3's largest number of parts, which MLflow's client never exceeds either. */
export const MAX_PARTS = 10_000;

/**
 * The request header that carries a part's signature. MLflow's client PUTs
 * each part with `credentials[i].headers` exactly as `mpu/create` answered
 * them (`requests.put(credential.url, data=…, headers=credential.headers)`),
 * so the signature can travel there instead of in the URL: request logs
 * (Backstage's, a proxy's) write the URL, and the signature is a
 * credential for as long as the URL lives.
 */
export const PART_SIGNATURE_HEADER = 'x-mlops-part-signature';

/**
 * A part the portal signed: the upload, part and expiry from its URL's
 * query, the signature from the `PART_SIGNATURE_HEADER` header.
 */
export interface PartSignature {
  uploadId: string;
  partNumber: number;
  /** Unix time in seconds after which the URL is refused. */
  expires: number;
  signature: string;
}

/** One part of MLflow's `CreateMultipartUpload.Response`. */
export interface MlflowPartCredential {
  url: string;
  part_number: number;
  headers: Record<string, string>;
}

/**
 * Multipart uploads of MLflow's artifact proxy over a store that may or
 * may not support them (`MlopsArtifactStore`'s optional methods). A store
 * with URLs of its own (S3's presigned UploadPart URLs) has the client send
 * each part there; a store without (the filesystem) gets URLs of this
 * backend's part route, which MLflow's client calls with no credentials of
 * its own (`requests.put(credential.url, data=…, headers=credential.headers)`),
 * so each part carries an HMAC signature over the file, the upload, the
 * part and an expiry time instead, in a header of its credential
 * (`PART_SIGNATURE_HEADER`), never in the URL.
 */
export class MultipartUploads {
  private readonly signingKey: Buffer;

  constructor(
    private readonly store: MlopsArtifactStore,
    private readonly options: {
      maxFileBytes: number;
      expiresInSeconds: number;
      /**
       * From `mlops.artifacts.multipart.signingKey`. Without it the key is
       * random per process: a part URL only lives for one upload, so a
       * restart costs at most that upload, and a single backend has
       * nothing to configure and no secret to keep. Replicas behind one
       * URL need the configured key, since a part may reach another
       * replica than the one that signed its URL.
       */
      signingKey?: string;
    },
  ) {
    this.signingKey = options.signingKey
      ? Buffer.from(options.signingKey, 'utf8')
      : randomBytes(32);
  }

  private requireSupport(): Required<
    Pick<
      MlopsArtifactStore,
      | 'createMultipartUpload'
      | 'completeMultipartUpload'
      | 'abortMultipartUpload'
    >
  > {
    const store = this.store;
    if (
      !store.createMultipartUpload ||
      !store.completeMultipartUpload ||
      !store.abortMultipartUpload
    ) {
      // MLflow's own server answers an artifact repository without
      // multipart support so; its client then uploads in one PUT.
      throw new MlflowError('NOT_IMPLEMENTED', MULTIPART_UNSUPPORTED);
    }
    return {
      createMultipartUpload: store.createMultipartUpload.bind(store),
      completeMultipartUpload: store.completeMultipartUpload.bind(store),
      abortMultipartUpload: store.abortMultipartUpload.bind(store),
    };
  }

  /** Throws MLflow's "not supported" error unless the store has multipart uploads. */
  checkSupported(): void {
    this.requireSupport();
  }

  /**
   * Starts an upload of `path` and answers where each part goes: the
   * store's URLs, or this backend's part route under `partRouteUrl` with
   * the part's signature in its headers.
   */
  async create(
    path: string,
    numParts: number,
    partRouteUrl: string,
  ): Promise<{ upload_id: string; credentials: MlflowPartCredential[] }> {
    const store = this.requireSupport();
    const upload = await store.createMultipartUpload(path, {
      numParts,
      expiresInSeconds: this.options.expiresInSeconds,
    });
    if (upload.parts) {
      return {
        upload_id: upload.uploadId,
        credentials: upload.parts.map(p => ({
          url: p.url,
          part_number: p.partNumber,
          headers: p.headers ?? {},
        })),
      };
    }
    if (!this.store.uploadPart) {
      throw new Error(
        `The ${this.store.type} artifact store gave no part URLs and takes no parts (uploadPart)`,
      );
    }
    const expires =
      Math.floor(Date.now() / 1000) + this.options.expiresInSeconds;
    const encodedPath = path.split('/').map(encodeURIComponent).join('/');
    const credentials: MlflowPartCredential[] = [];
    for (let partNumber = 1; partNumber <= numParts; partNumber++) {
      // What is signed stays in the URL: none of it is a secret, the
      // signature covers it (altered, the part is refused), and a request
      // log line then still tells which upload and part it was and until
      // when its URL held. Only the signature is a credential.
      const query = new URLSearchParams({
        upload_id: upload.uploadId,
        part_number: String(partNumber),
        expires: String(expires),
      });
      credentials.push({
        url: `${partRouteUrl}/${encodedPath}?${query}`,
        part_number: partNumber,
        headers: {
          [PART_SIGNATURE_HEADER]: this.sign(
            path,
            upload.uploadId,
            partNumber,
            expires,
          ),
        },
      });
    }
    return { upload_id: upload.uploadId, credentials };
  }

  private sign(
    path: string,
    uploadId: string,
    partNumber: number,
    expires: number,
  ): string {
    return createHmac('sha256', this.signingKey)
      .update(
        ['mlops-artifact-part', path, uploadId, partNumber, expires].join('\n'),
      )
      .digest('base64url');
  }

  /**
   * Whether a part was signed here for `path` and its URL has not expired.
   * Answers no more than yes or no, so a refusal tells nothing of the key.
   */
  verify(path: string, part: PartSignature): boolean {
    if (part.expires < Date.now() / 1000) {
      return false;
    }
    const expected = Buffer.from(
      this.sign(path, part.uploadId, part.partNumber, part.expires),
    );
    const given = Buffer.from(part.signature);
    return given.length === expected.length && timingSafeEqual(given, expected);
  }

  /** Stores a part that came through the part route (signature checked). */
  async uploadPart(
    path: string,
    part: PartSignature,
    body: Readable,
    contentLength?: number,
  ): Promise<{ etag: string; size: number }> {
    this.requireSupport();
    if (!this.store.uploadPart) {
      throw new MlflowError('NOT_IMPLEMENTED', MULTIPART_UNSUPPORTED);
    }
    return this.store.uploadPart(path, part.uploadId, part.partNumber, body, {
      contentLength,
    });
  }

  async complete(
    path: string,
    uploadId: string,
    parts: MlopsArtifactUploadedPart[],
  ): Promise<{ size: number }> {
    return this.requireSupport().completeMultipartUpload(
      path,
      uploadId,
      parts,
      { maxBytes: this.options.maxFileBytes },
    );
  }

  async abort(path: string, uploadId: string): Promise<void> {
    await this.requireSupport().abortMultipartUpload(path, uploadId);
  }
}
