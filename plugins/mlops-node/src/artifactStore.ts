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
