import { MlopsArtifactStore } from '@backstage-mlops/plugin-mlops-node';
import fs from 'node:fs/promises';
import os from 'node:os';
import nodePath from 'node:path';
import { Readable } from 'node:stream';
import { text } from 'node:stream/consumers';
// s3rver has no type declarations of its own.
// eslint-disable-next-line @typescript-eslint/no-require-imports
const S3rver = require('s3rver');

import { FilesystemArtifactStore } from './FilesystemArtifactStore';
import { S3ArtifactStore } from './S3ArtifactStore';
import { withByteLimit } from './sizeLimit';

jest.setTimeout(60_000);

/*
 * One suite for every artifact store: the filesystem store on a temporary
 * folder, and the S3 store against s3rver, a real S3-compatible HTTP server
 * (from npm) started here on a port of its own and stopped afterwards.
 */

const S3_PORT = 7231;
const BUCKET = 'mlops-artifacts-test';

interface StoreUnderTest {
  store: MlopsArtifactStore;
  close(): Promise<void>;
}

async function filesystemStore(): Promise<StoreUnderTest> {
  const dir = await fs.mkdtemp(nodePath.join(os.tmpdir(), 'mlops-fs-store-'));
  const store = await FilesystemArtifactStore.create(
    nodePath.join(dir, 'root'),
  );
  return {
    store,
    close: () => fs.rm(dir, { recursive: true, force: true }),
  };
}

async function s3Store(): Promise<StoreUnderTest> {
  const dir = await fs.mkdtemp(nodePath.join(os.tmpdir(), 'mlops-s3rver-'));
  const server = new S3rver({
    port: S3_PORT,
    address: '127.0.0.1',
    silent: true,
    directory: dir,
    configureBuckets: [{ name: BUCKET }],
  });
  await server.run();
  const store = new S3ArtifactStore({
    bucket: BUCKET,
    prefix: 'team/artifacts',
    endpoint: `http://127.0.0.1:${S3_PORT}`,
    region: 'us-east-1',
    credentials: { accessKeyId: 'S3RVER', secretAccessKey: 'S3RVER' },
  });
  return {
    store,
    async close() {
      await new Promise(resolve => server.close(resolve));
      await fs.rm(dir, { recursive: true, force: true });
    },
  };
}

const body = (content: string | Buffer) =>
  Readable.from([Buffer.from(content)]);

describe.each([
  ['filesystem', filesystemStore],
  ['s3 (s3rver)', s3Store],
])('%s artifact store', (_name, open) => {
  let subject: StoreUnderTest;
  let store: MlopsArtifactStore;

  beforeAll(async () => {
    subject = await open();
    store = subject.store;
  });
  afterAll(async () => {
    await subject?.close();
  });

  it('writes, reads back, lists with sizes and deletes', async () => {
    const content = 'alpha: 0.1\nl1_ratio: 0.5\n';
    const written = await store.write(
      '1/run-a/artifacts/params.yaml',
      body(content),
      {
        contentLength: Buffer.byteLength(content),
      },
    );
    expect(written.size).toBe(Buffer.byteLength(content));
    await store.write('1/run-a/artifacts/model/MLmodel', body('flavors: {}\n'));
    await store.write(
      '1/run-a/artifacts/model/model.pkl',
      body(Buffer.alloc(2048, 7)),
    );

    const read = await store.read('1/run-a/artifacts/params.yaml');
    expect(read).toBeDefined();
    expect(await text(read!.stream)).toBe(content);
    expect(read!.size).toBe(Buffer.byteLength(content));

    expect(await store.list('1/run-a/artifacts')).toEqual([
      { path: '1/run-a/artifacts/model', isDir: true },
      {
        path: '1/run-a/artifacts/params.yaml',
        isDir: false,
        size: Buffer.byteLength(content),
      },
    ]);
    expect(await store.list('1/run-a/artifacts/model')).toEqual([
      { path: '1/run-a/artifacts/model/MLmodel', isDir: false, size: 12 },
      { path: '1/run-a/artifacts/model/model.pkl', isDir: false, size: 2048 },
    ]);

    await store.delete('1/run-a/artifacts/model');
    expect(await store.read('1/run-a/artifacts/model/MLmodel')).toBeUndefined();
    expect(await store.list('1/run-a/artifacts')).toEqual([
      expect.objectContaining({ path: '1/run-a/artifacts/params.yaml' }),
    ]);
  });

  it('replaces a file written twice', async () => {
    await store.write('2/r/artifacts/notes.txt', body('first'));
    await store.write('2/r/artifacts/notes.txt', body('second, longer'));
    const read = await store.read('2/r/artifacts/notes.txt');
    expect(await text(read!.stream)).toBe('second, longer');
  });

  it('answers nothing for files and folders that do not exist', async () => {
    expect(await store.read('3/none/artifacts/missing.txt')).toBeUndefined();
    expect(await store.list('3/none/artifacts')).toEqual([]);
    await expect(store.delete('3/none/artifacts/x')).resolves.toBeUndefined();
  });

  it('keeps nothing of an upload whose stream failed past the limit', async () => {
    const limited = withByteLimit(
      Readable.from([Buffer.alloc(600), Buffer.alloc(600)]),
      1000,
    );
    await expect(
      store.write('4/r/artifacts/too-big.bin', limited),
    ).rejects.toThrow(/larger than the limit of 1000 bytes/);
    expect(await store.read('4/r/artifacts/too-big.bin')).toBeUndefined();
    expect(await store.list('4/r/artifacts')).toEqual([]);
  });

  it('streams a 20 MB file through without changing a byte', async () => {
    const chunk = Buffer.alloc(1024 * 1024);
    for (let i = 0; i < chunk.length; i++) chunk[i] = i % 251;
    const chunks = Array.from({ length: 20 }, () => chunk);
    await store.write('5/r/artifacts/big.bin', Readable.from(chunks), {
      contentLength: 20 * chunk.length,
    });
    const read = await store.read('5/r/artifacts/big.bin');
    let size = 0;
    let mismatch = false;
    for await (const piece of read!.stream as AsyncIterable<Buffer>) {
      for (let i = 0; i < piece.length; i++) {
        if (piece[i] !== ((size + i) % (1024 * 1024)) % 251) mismatch = true;
      }
      size += piece.length;
    }
    expect(size).toBe(20 * 1024 * 1024);
    expect(mismatch).toBe(false);
  });
});

describe('filesystem artifact store on disk', () => {
  let dir: string;
  let root: string;
  let store: FilesystemArtifactStore;

  beforeEach(async () => {
    dir = await fs.mkdtemp(nodePath.join(os.tmpdir(), 'mlops-fs-escape-'));
    root = nodePath.join(dir, 'root');
    store = await FilesystemArtifactStore.create(root);
    await fs.mkdir(nodePath.join(dir, 'outside'));
    await fs.writeFile(nodePath.join(dir, 'outside', 'secret.txt'), 'secret');
  });
  afterEach(async () => {
    await fs.rm(dir, { recursive: true, force: true });
  });

  async function outsideFiles() {
    return (await fs.readdir(nodePath.join(dir, 'outside'))).sort();
  }

  it('refuses to read, list, write or delete through a symlink leaving the root', async () => {
    await fs.mkdir(nodePath.join(root, '1'), { recursive: true });
    await fs.symlink(
      nodePath.join(dir, 'outside'),
      nodePath.join(root, '1', 'link'),
    );
    await fs.symlink(
      nodePath.join(dir, 'outside', 'secret.txt'),
      nodePath.join(root, '1', 'file-link'),
    );

    await expect(store.read('1/link/secret.txt')).rejects.toThrow(
      /leaves the artifact root/,
    );
    await expect(store.read('1/file-link')).rejects.toThrow(
      /leaves the artifact root/,
    );
    await expect(store.list('1/link')).rejects.toThrow(
      /leaves the artifact root/,
    );
    await expect(store.write('1/link/planted.txt', body('x'))).rejects.toThrow(
      /leaves the artifact root/,
    );
    await expect(store.write('1/file-link', body('x'))).rejects.toThrow(
      /leaves the artifact root/,
    );
    await expect(store.delete('1/link/secret.txt')).rejects.toThrow(
      /leaves the artifact root/,
    );
    expect(await outsideFiles()).toEqual(['secret.txt']);
    expect(
      await fs.readFile(nodePath.join(dir, 'outside', 'secret.txt'), 'utf8'),
    ).toBe('secret');
    // The symlinks themselves are not listed.
    expect(await store.list('1')).toEqual([]);
  });

  it('deleting a symlink inside the root removes the link, not its target', async () => {
    await fs.mkdir(nodePath.join(root, '1'), { recursive: true });
    await fs.symlink(
      nodePath.join(dir, 'outside'),
      nodePath.join(root, '1', 'link'),
    );
    await store.delete('1/link');
    expect(await outsideFiles()).toEqual(['secret.txt']);
    await expect(fs.lstat(nodePath.join(root, '1', 'link'))).rejects.toThrow();
  });

  it('refuses paths that leave the root lexically and the uploads folder', async () => {
    await expect(store.write('../outside/x.txt', body('x'))).rejects.toThrow(
      /leaves/,
    );
    await expect(store.read('.mlops-uploads/anything')).rejects.toThrow(
      /reserved/,
    );
    expect(await outsideFiles()).toEqual(['secret.txt']);
    expect(await store.list('')).toEqual([]);
  });
});
