import { InputError, NotFoundError } from '@backstage/errors';
import {
  MlopsArtifactContent,
  MlopsArtifactFileInfo,
  MlopsArtifactMultipartUpload,
  MlopsArtifactStore,
  MlopsArtifactTooLargeError,
  MlopsArtifactUploadedPart,
} from '@backstage-mlops/plugin-mlops-node';
import { createHash, randomUUID } from 'node:crypto';
import { createReadStream } from 'node:fs';
import fs from 'node:fs/promises';
import nodePath from 'node:path';
import { Readable, Transform } from 'node:stream';
import { pipeline } from 'node:stream/promises';
import { createUploadFile, removeUploadFile } from './uploadFile';

/**
 * Uploads are written here first and renamed into place when complete, so
 * a reader never sees half a file and a failed upload leaves nothing
 * behind. The folder sits inside the root (a rename never crosses file
 * systems) and is hidden from listings and refused as a path.
 */
const UPLOADS_FOLDER = '.mlops-uploads';

/**
 * A multipart upload is staged in `<UPLOADS_FOLDER>/mpu-<upload id>/`: an
 * `upload.json` naming its destination, and each part received as
 * `part-<number>-<md5>`, so that the ETag a client reports names the very
 * file it refers to and a retried part never overwrites one being read.
 */
const MULTIPART_PREFIX = 'mpu-';
const UPLOAD_ID =
  /^[0-9a-f]{8}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{12}$/;
/**
 * Staged uploads nobody completed or aborted go this long after their part
 * URLs expired (no part can arrive then), swept when the next one starts.
 */
const ABANDONED_AFTER_MS = 24 * 60 * 60 * 1000;
const SWEEP_EVERY_MS = 60 * 60 * 1000;

interface StagedUpload {
  destination: string;
  expiresAt: number;
}

/** An S3-style ETag: the part's MD5, quoted. Quotes are optional on the way back. */
const etagOf = (md5: string) => `"${md5}"`;
const md5Of = (etag: string) => etag.trim().replace(/^"|"$/g, '').toLowerCase();

function isMissing(error: unknown): boolean {
  const code = (error as NodeJS.ErrnoException)?.code;
  return code === 'ENOENT' || code === 'ENOTDIR';
}

/**
 * Artifacts as files under one root folder (the embedded default, beside
 * the SQLite files). Every path is checked twice: lexically (it must stay
 * below the root) and, through `realpath`, on disk, so that a symlink
 * planted inside the root cannot lead a read or write outside it.
 */
export class FilesystemArtifactStore implements MlopsArtifactStore {
  readonly type = 'filesystem';

  private realRoot?: string;
  private lastSweep = 0;

  constructor(private readonly root: string) {}

  static async create(root: string): Promise<FilesystemArtifactStore> {
    const store = new FilesystemArtifactStore(nodePath.resolve(root));
    await fs.mkdir(nodePath.join(store.root, UPLOADS_FOLDER), {
      recursive: true,
    });
    store.realRoot = await fs.realpath(store.root);
    return store;
  }

  private async rootOnDisk(): Promise<string> {
    if (!this.realRoot) {
      await fs.mkdir(this.root, { recursive: true });
      this.realRoot = await fs.realpath(this.root);
    }
    return this.realRoot;
  }

  private inside(root: string, candidate: string): boolean {
    return candidate === root || candidate.startsWith(root + nodePath.sep);
  }

  /** The absolute file path of `path`, refused unless it is below the root. */
  private async lexical(path: string): Promise<string> {
    const root = await this.rootOnDisk();
    const segments = path === '' ? [] : path.split('/');
    if (segments[0] === UPLOADS_FOLDER) {
      throw new InputError(`Invalid path: ${UPLOADS_FOLDER} is reserved`);
    }
    const full = nodePath.resolve(root, ...segments);
    if (!this.inside(root, full)) {
      throw new InputError('Invalid path: it leaves the artifact root');
    }
    return full;
  }

  /**
   * Resolves symlinks along `full` as far as it exists and refuses it when
   * the real location is outside the root. Answers the real path of the
   * deepest part that exists.
   */
  private async confine(full: string): Promise<string> {
    const root = await this.rootOnDisk();
    let existing = full;
    for (;;) {
      try {
        const real = await fs.realpath(existing);
        if (!this.inside(root, real)) {
          throw new InputError('Invalid path: it leaves the artifact root');
        }
        return real;
      } catch (error) {
        if (!isMissing(error) || existing === root) {
          throw error;
        }
        existing = nodePath.dirname(existing);
      }
    }
  }

  async write(
    path: string,
    body: Readable,
    _options?: { contentLength?: number },
  ): Promise<{ size: number }> {
    const target = await this.lexical(path);
    if (path === '') {
      throw new InputError('Invalid path: an artifact path is required');
    }
    await this.confine(target);
    const root = await this.rootOnDisk();
    const temporary = nodePath.join(root, UPLOADS_FOLDER, randomUUID());
    const file = createUploadFile(temporary);
    try {
      await pipeline(body, file);
      await fs.mkdir(nodePath.dirname(target), { recursive: true });
      // The folders just created may have met a symlink planted meanwhile.
      await this.confine(nodePath.dirname(target));
      await fs.rename(temporary, target).catch(error => {
        // A file is never renamed over a folder (EISDIR): nothing to look
        // up beforehand.
        if ((error as NodeJS.ErrnoException).code === 'EISDIR') {
          throw new InputError(`Invalid path: ${path} is a directory`);
        }
        throw error;
      });
    } catch (error) {
      await removeUploadFile(file);
      throw error;
    }
    return { size: file.bytesWritten };
  }

  async read(path: string): Promise<MlopsArtifactContent | undefined> {
    const full = await this.lexical(path);
    let real: string;
    try {
      real = await fs.realpath(full);
    } catch (error) {
      if (isMissing(error)) return undefined;
      throw error;
    }
    if (!this.inside(await this.rootOnDisk(), real)) {
      throw new InputError('Invalid path: it leaves the artifact root');
    }
    const stat = await fs.stat(real);
    if (!stat.isFile()) {
      return undefined;
    }
    return { stream: createReadStream(real), size: stat.size };
  }

  async list(path: string): Promise<MlopsArtifactFileInfo[]> {
    const full = await this.lexical(path);
    let real: string;
    try {
      real = await fs.realpath(full);
    } catch (error) {
      if (isMissing(error)) return [];
      throw error;
    }
    const root = await this.rootOnDisk();
    if (!this.inside(root, real)) {
      throw new InputError('Invalid path: it leaves the artifact root');
    }
    let entries;
    try {
      entries = await fs.readdir(real, { withFileTypes: true });
    } catch (error) {
      if ((error as NodeJS.ErrnoException).code === 'ENOTDIR') return [];
      throw error;
    }
    const files: MlopsArtifactFileInfo[] = [];
    for (const entry of entries) {
      if (path === '' && entry.name === UPLOADS_FOLDER) continue;
      const childPath = path === '' ? entry.name : `${path}/${entry.name}`;
      if (entry.isDirectory()) {
        files.push({ path: childPath, isDir: true });
      } else if (entry.isFile()) {
        const stat = await fs.stat(nodePath.join(real, entry.name));
        files.push({ path: childPath, isDir: false, size: stat.size });
      }
      // Symlinks and other special files are not listed: nothing an MLflow
      // client uploads creates one.
    }
    return files.sort((a, b) => (a.path < b.path ? -1 : 1));
  }

  async delete(path: string): Promise<void> {
    const full = await this.lexical(path);
    if (path === '') {
      throw new InputError('Invalid path: the artifact root cannot be deleted');
    }
    let parent: string;
    try {
      parent = await fs.realpath(nodePath.dirname(full));
    } catch (error) {
      if (isMissing(error)) return;
      throw error;
    }
    if (!this.inside(await this.rootOnDisk(), parent)) {
      throw new InputError('Invalid path: it leaves the artifact root');
    }
    // The last segment is not resolved: deleting a symlink removes the link.
    await fs.rm(nodePath.join(parent, nodePath.basename(full)), {
      recursive: true,
      force: true,
    });
  }
  // Multipart uploads --------------------------------------------------------
  // No URLs of its own: the backend signs URLs to itself and hands each
  // part to uploadPart.

  private stagingOf(uploadId: string): string {
    if (!UPLOAD_ID.test(uploadId)) {
      throw new NotFoundError(`No multipart upload ${uploadId}`);
    }
    return nodePath.join(
      this.root,
      UPLOADS_FOLDER,
      `${MULTIPART_PREFIX}${uploadId}`,
    );
  }

  /** The staging folder of `uploadId`, which must be an upload to `path`. */
  private async staged(path: string, uploadId: string): Promise<string> {
    const staging = this.stagingOf(uploadId);
    let upload: StagedUpload;
    try {
      upload = JSON.parse(
        await fs.readFile(nodePath.join(staging, 'upload.json'), 'utf8'),
      );
    } catch (error) {
      if (isMissing(error)) {
        throw new NotFoundError(
          `No multipart upload ${uploadId} of ${path} in progress`,
        );
      }
      throw error;
    }
    if (upload.destination !== path) {
      throw new NotFoundError(
        `No multipart upload ${uploadId} of ${path} in progress`,
      );
    }
    return staging;
  }

  async createMultipartUpload(
    path: string,
    options: { numParts: number; expiresInSeconds: number },
  ): Promise<MlopsArtifactMultipartUpload> {
    if (path === '') {
      throw new InputError('Invalid path: an artifact path is required');
    }
    await this.confine(await this.lexical(path));
    await this.sweepAbandoned();
    const uploadId = randomUUID();
    const staging = this.stagingOf(uploadId);
    await fs.mkdir(staging, { recursive: true });
    const upload: StagedUpload = {
      destination: path,
      expiresAt: Date.now() + options.expiresInSeconds * 1000,
    };
    await fs.writeFile(
      nodePath.join(staging, 'upload.json'),
      JSON.stringify(upload),
      { flag: 'wx' },
    );
    return { uploadId };
  }

  async uploadPart(
    path: string,
    uploadId: string,
    partNumber: number,
    body: Readable,
  ): Promise<{ etag: string; size: number }> {
    const staging = await this.staged(path, uploadId);
    const temporary = nodePath.join(staging, `${randomUUID()}.tmp`);
    const hash = createHash('md5');
    let size = 0;
    const hashing = new Transform({
      transform(chunk: Buffer, _encoding, done) {
        hash.update(chunk);
        size += chunk.length;
        done(null, chunk);
      },
    });
    const file = createUploadFile(temporary);
    try {
      await pipeline(body, hashing, file);
      const md5 = hash.digest('hex');
      await fs.rename(
        temporary,
        nodePath.join(staging, `part-${partNumber}-${md5}`),
      );
      return { etag: etagOf(md5), size };
    } catch (error) {
      await removeUploadFile(file);
      if (isMissing(error)) {
        // Aborted (or completed) while the part was arriving.
        throw new NotFoundError(
          `No multipart upload ${uploadId} of ${path} in progress`,
        );
      }
      throw error;
    }
  }

  async completeMultipartUpload(
    path: string,
    uploadId: string,
    parts: MlopsArtifactUploadedPart[],
    options: { maxBytes: number },
  ): Promise<{ size: number }> {
    const staging = await this.staged(path, uploadId);
    if (parts.length === 0) {
      throw new InputError('A multipart upload needs at least one part');
    }
    const files: string[] = [];
    let total = 0;
    for (const [index, part] of parts.entries()) {
      if (index > 0 && part.partNumber <= parts[index - 1].partNumber) {
        throw new InputError(
          'The parts must be listed in ascending order of part number, each once',
        );
      }
      const md5 = md5Of(part.etag);
      const file = nodePath.join(staging, `part-${part.partNumber}-${md5}`);
      const stat = /^[0-9a-f]{32}$/.test(md5)
        ? await fs.stat(file).catch(() => undefined)
        : undefined;
      if (!stat?.isFile()) {
        throw new InputError(
          `Part ${
            part.partNumber
          } was not uploaded with the ETag ${JSON.stringify(part.etag)}`,
        );
      }
      files.push(file);
      total += stat.size;
    }
    if (total > options.maxBytes) {
      await fs.rm(staging, { recursive: true, force: true });
      throw new MlopsArtifactTooLargeError(options.maxBytes);
    }
    // One part file open at a time, read in small chunks: never a whole
    // part in memory. write() then moves the result into place atomically.
    const assembled = Readable.from(
      (async function* concatenated() {
        for (const file of files) {
          yield* createReadStream(file);
        }
      })(),
    );
    let written: { size: number };
    try {
      written = await this.write(path, assembled);
    } finally {
      assembled.destroy();
    }
    await fs.rm(staging, { recursive: true, force: true });
    return written;
  }

  async abortMultipartUpload(path: string, uploadId: string): Promise<void> {
    let staging: string;
    try {
      staging = await this.staged(path, uploadId);
    } catch (error) {
      if (error instanceof NotFoundError) return;
      throw error;
    }
    await fs.rm(staging, { recursive: true, force: true });
  }

  /** Removes staged uploads abandoned long ago, at most once an hour. */
  private async sweepAbandoned(): Promise<void> {
    const now = Date.now();
    if (now - this.lastSweep < SWEEP_EVERY_MS) return;
    this.lastSweep = now;
    const uploads = nodePath.join(this.root, UPLOADS_FOLDER);
    const entries = await fs.readdir(uploads).catch(() => [] as string[]);
    for (const entry of entries) {
      if (!entry.startsWith(MULTIPART_PREFIX)) continue;
      const staging = nodePath.join(uploads, entry);
      const upload: StagedUpload | undefined = await fs
        .readFile(nodePath.join(staging, 'upload.json'), 'utf8')
        .then(JSON.parse)
        .catch(() => undefined);
      const since =
        upload?.expiresAt ??
        (await fs.stat(staging).then(
          stat => stat.mtimeMs,
          () => now,
        ));
      if (now - since > ABANDONED_AFTER_MS) {
        await fs.rm(staging, { recursive: true, force: true });
      }
    }
  }
}
