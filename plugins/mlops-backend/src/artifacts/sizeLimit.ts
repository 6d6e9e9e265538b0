import { MlopsArtifactTooLargeError } from '@backstage-mlops/plugin-mlops-node';
import { Readable, Transform, TransformCallback } from 'node:stream';

/**
 * Thrown through an upload stream that went past the size limit, and by a
 * store completing a multipart upload that would be too large. A module's
 * store throws the same class, so it is mlops-node's.
 */
export { MlopsArtifactTooLargeError as ArtifactTooLargeError };

/**
 * Passes bytes through and fails the stream once more than `limitBytes`
 * went by, so a store stops writing an upload whose size was not declared
 * (chunked transfer) as soon as it is too large.
 */
export class ByteLimit extends Transform {
  private seen = 0;

  constructor(private readonly limitBytes: number) {
    super();
  }

  get bytes(): number {
    return this.seen;
  }

  _transform(chunk: Buffer, _encoding: string, done: TransformCallback) {
    this.seen += chunk.length;
    if (this.seen > this.limitBytes) {
      done(new MlopsArtifactTooLargeError(this.limitBytes));
      return;
    }
    done(null, chunk);
  }
}

/**
 * `source` piped through a {@link ByteLimit}. A store may start reading the
 * stream only after awaiting its own checks; an error meanwhile (the limit,
 * a client gone away) must not crash the process as an unhandled 'error'
 * event, and the store still sees it because the stream is destroyed with it.
 */
export function withByteLimit(source: Readable, maxBytes: number): ByteLimit {
  const limited = new ByteLimit(maxBytes);
  limited.on('error', () => {});
  source.on('error', error => limited.destroy(error));
  source.pipe(limited);
  return limited;
}
