import { createExtensionPoint } from '@backstage/backend-plugin-api';
import { Readable } from 'node:stream';

/**
 * One entry of an artifact listing: a file with its size, or a directory.
 *
 * @public
 */
export interface MlopsArtifactFileInfo {
  /** Path relative to the store's root, `/`-separated, no leading `/`. */
  path: string;
  isDir: boolean;
  /** Bytes; files only. */
  size?: number;
}

/**
 * An artifact being read: its bytes as a stream and, when the store knows
 * it up front, its size.
 *
 * @public
 */
export interface MlopsArtifactContent {
  stream: Readable;
  size?: number;
}

/**
 * Where the MLOps backend keeps artifacts (files MLflow clients log: models,
 * plots, datasets). The backend hands every method a path it has already
 * decoded and checked: relative, `/`-separated, without `.` or `..`
 * segments, NUL, backslashes or `#`. A store still keeps every read and
 * write inside its own root (a filesystem store refuses symlinks that leave
 * it), because it is the last line of defence.
 *
 * Bodies are streams so that no store holds a whole file in memory.
 *
 * @public
 */
export interface MlopsArtifactStore {
  /** Shown in logs and the startup message, e.g. `filesystem` or `s3`. */
  readonly type: string;
  /**
   * Stores `body` at `path`, replacing a file already there. When the body
   * stream fails (the backend aborts it past the size limit, or the client
   * goes away) nothing may be left at `path`, and the promise rejects with
   * the stream's error.
   */
  write(
    path: string,
    body: Readable,
    options?: { contentLength?: number; contentType?: string },
  ): Promise<{ size: number }>;
  /** The file at `path`, or `undefined` when there is none (or it is a directory). */
  read(path: string): Promise<MlopsArtifactContent | undefined>;
  /**
   * The direct children of the directory `path` (`''` is the root), files
   * and directories, sorted by path. An unknown directory lists as empty.
   */
  list(path: string): Promise<MlopsArtifactFileInfo[]>;
  /** Deletes the file at `path`, or the directory and everything below it. */
  delete(path: string): Promise<void>;

  /*
   * Multipart uploads (MLflow's `mlflow-artifacts/mpu/*` routes), optional:
   * a store supports them when it has `createMultipartUpload`,
   * `completeMultipartUpload` and `abortMultipartUpload`, and `uploadPart`
   * as well when it hands out no part URLs of its own. A store without them
   * keeps working; the backend then answers MLflow's "not supported" error,
   * on which MLflow's client falls back to one PUT per file.
   */

  /**
   * Starts a multipart upload of the file `path` in `numParts` parts
   * (1 to 10,000). The answer may give, for each part, a URL the client
   * sends the part's bytes to by itself (a presigned URL of an object
   * store); without them the backend hands the client URLs of its own,
   * signed and expiring after `expiresInSeconds`, and passes each part to
   * {@link MlopsArtifactStore.uploadPart}.
   */
  createMultipartUpload?(
    path: string,
    options: { numParts: number; expiresInSeconds: number },
  ): Promise<MlopsArtifactMultipartUpload>;
  /**
   * Stores one part of the upload `uploadId` to `path`, replacing an
   * earlier one with the same number, and answers its ETag (what the
   * client reports back to complete). Rejects with a `NotFoundError` (from
   * `@backstage/errors`) when there is no such upload to that path, and
   * with the body stream's error when it fails, keeping nothing of the part.
   */
  uploadPart?(
    path: string,
    uploadId: string,
    partNumber: number,
    body: Readable,
    options?: { contentLength?: number },
  ): Promise<{ etag: string; size: number }>;
  /**
   * Assembles the parts, in the order given (ascending part numbers), into
   * the file at `path`, replacing a file already there, and ends the
   * upload. Nothing appears at `path` unless every part is there with the
   * ETag given. Rejects with a `NotFoundError` for an unknown upload, an
   * `InputError` for a part missing or with another ETag, and an
   * {@link MlopsArtifactTooLargeError} (then ending the upload, leaving
   * nothing) when the file would be larger than `maxBytes`.
   */
  completeMultipartUpload?(
    path: string,
    uploadId: string,
    parts: MlopsArtifactUploadedPart[],
    options: { maxBytes: number },
  ): Promise<{ size: number }>;
  /**
   * Ends the upload and discards its parts. An upload already completed,
   * aborted or unknown is no error: MLflow's client aborts after any
   * failure, and that must not hide the failure's own message.
   */
  abortMultipartUpload?(path: string, uploadId: string): Promise<void>;
}

/**
 * Where a client sends one part of a multipart upload.
 *
 * @public
 */
export interface MlopsArtifactPartTarget {
  /** From 1. */
  partNumber: number;
  /**
   * Where the client PUTs the part's bytes. It sends no credentials of the
   * backend with them, so the URL itself must authorise the request.
   */
  url: string;
  /** Headers the client must send with the part. */
  headers?: Record<string, string>;
}

/**
 * A multipart upload a store started.
 *
 * @public
 */
export interface MlopsArtifactMultipartUpload {
  /** The store's id of the upload; the client sends it back to complete or abort. */
  uploadId: string;
  /**
   * Where each part goes, one per part. Omitted when the store takes the
   * parts through `uploadPart`.
   */
  parts?: MlopsArtifactPartTarget[];
}

/**
 * A part of a multipart upload, as the client reports it to complete.
 *
 * @public
 */
export interface MlopsArtifactUploadedPart {
  /** From 1. */
  partNumber: number;
  /** The ETag the part's upload answered. */
  etag: string;
}

/**
 * An artifact larger than the backend's limit
 * (`mlops.artifacts.maxFileBytes`); the backend answers it with a 413.
 *
 * @public
 */
export class MlopsArtifactTooLargeError extends Error {
  /** The limit the artifact went past, in bytes. */
  readonly limitBytes: number;

  constructor(limitBytes: number) {
    super(`The artifact is larger than the limit of ${limitBytes} bytes`);
    this.name = 'MlopsArtifactTooLargeError';
    this.limitBytes = limitBytes;
  }
}

/**
 * Lets a backend module replace the MLOps backend's artifact store (the
 * built-in ones are a filesystem store and an S3-compatible store, chosen
 * by `mlops.artifacts.store`).
 *
 * @public
 */
export interface MlopsArtifactStoreExtensionPoint {
  /** Sets the store; a second call is refused at start-up. */
  setArtifactStore(store: MlopsArtifactStore): void;
}

/**
 * Extension point for a custom artifact store.
 *
 * @public
 */
export const mlopsArtifactStoreExtensionPoint =
  createExtensionPoint<MlopsArtifactStoreExtensionPoint>({
    id: 'mlops.artifact-store',
  });
