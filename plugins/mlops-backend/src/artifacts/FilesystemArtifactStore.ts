import { InputError } from '@backstage/errors';
import {
  MlopsArtifactContent,
  MlopsArtifactFileInfo,
  MlopsArtifactStore,
} from '@backstage-mlops/plugin-mlops-node';
import { randomUUID } from 'node:crypto';
import { createReadStream, createWriteStream } from 'node:fs';
import fs from 'node:fs/promises';
import nodePath from 'node:path';
import { Readable } from 'node:stream';
import { pipeline } from 'node:stream/promises';
import { ByteLimit } from './sizeLimit';

/**
 * Uploads are written here first and renamed into place when complete, so
 * a reader never sees half a file and a failed upload leaves nothing
 * behind. The folder sits inside the root (a rename never crosses file
 * systems) and is hidden from listings and refused as a path.
 */
const UPLOADS_FOLDER = '.mlops-uploads';

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
    const counted = new ByteLimit(Number.POSITIVE_INFINITY);
    try {
      // 'wx': never follow or overwrite anything already at the temporary name.
      await pipeline(
        body,
        counted,
        createWriteStream(temporary, { flags: 'wx' }),
      );
      await fs.mkdir(nodePath.dirname(target), { recursive: true });
      // The folders just created may have met a symlink planted meanwhile.
      await this.confine(nodePath.dirname(target));
      const existing = await fs.lstat(target).catch(() => undefined);
      if (existing?.isDirectory()) {
        throw new InputError(`Invalid path: ${path} is a directory`);
      }
      await fs.rename(temporary, target);
    } catch (error) {
      await fs.rm(temporary, { force: true });
      throw error;
    }
    return { size: counted.bytes };
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
}
