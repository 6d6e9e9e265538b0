import { createWriteStream, WriteStream } from 'node:fs';
import fs from 'node:fs/promises';

/**
 * Bytes of an upload that may wait in memory while the file write before
 * them is under way. The socket hands over 64 KiB at a time; with a write
 * stream's default 16 KiB mark every chunk would pause the socket and go
 * to disk alone, one thread-pool round trip each. With this much room the
 * socket keeps flowing while a write is out, and what arrived meanwhile
 * goes to disk in one `writev`.
 */
export const UPLOAD_WRITE_BUFFER_BYTES = 1024 * 1024;

/**
 * A new file at `path` for an upload's bytes, refused if anything is
 * already there ('wx': never following or overwriting what is at the
 * name). Its `bytesWritten` is the upload's size once the stream finished.
 */
export function createUploadFile(path: string): WriteStream {
  return createWriteStream(path, {
    flags: 'wx',
    highWaterMark: UPLOAD_WRITE_BUFFER_BYTES,
  });
}

/**
 * Removes the file of `file` (from {@link createUploadFile}) once its
 * stream is closed. A stream that failed while still opening creates its
 * file after all; removed before that, the file would be left behind.
 */
export async function removeUploadFile(file: WriteStream): Promise<void> {
  if (!file.closed) {
    await new Promise<void>(resolve => {
      file.once('close', () => resolve());
      file.destroy();
    });
  }
  await fs.rm(file.path, { force: true });
}
