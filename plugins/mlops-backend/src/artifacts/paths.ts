import { InputError } from '@backstage/errors';

/*
 * The one path rule of the artifact proxy. MLflow's own server was bitten by
 * path traversal five times (CVE-2023-1177, CVE-2023-2780, CVE-2023-6909,
 * CVE-2024-1483, CVE-2024-3848): through `..`, percent-encoded `..`,
 * absolute paths, Windows drive letters and a `#` that splits a URI. So a
 * path is decoded until it stops changing *before* it is judged, and only
 * plain relative `/`-separated segments pass.
 */

const MAX_DECODE_ROUNDS = 10;
/** Longest artifact path accepted, in characters. */
export const MAX_ARTIFACT_PATH_LENGTH = 1000;

function decodeFully(raw: string): string {
  let current = raw;
  for (let round = 0; round < MAX_DECODE_ROUNDS; round++) {
    let decoded: string;
    try {
      decoded = decodeURIComponent(current);
    } catch {
      throw new InputError('Invalid path: malformed percent-encoding');
    }
    if (decoded === current) {
      return current;
    }
    current = decoded;
  }
  throw new InputError('Invalid path: encoded too many times');
}

/**
 * The safe, normalised form of an artifact path (relative, `/`-separated,
 * no empty, `.` or `..` segments, no trailing `/`), or an `InputError`
 * (a 400) naming why it is refused. `''` (the root) is allowed only with
 * `allowRoot`.
 */
export function safeArtifactPath(
  raw: string,
  options: { allowRoot?: boolean } = {},
): string {
  const path = decodeFully(raw);
  if (path.length > MAX_ARTIFACT_PATH_LENGTH) {
    throw new InputError(
      `Invalid path: longer than ${MAX_ARTIFACT_PATH_LENGTH} characters`,
    );
  }
  // NUL and other control characters, '#' (a URI fragment on the way back
  // out) and '\' (a separator on Windows).
  // eslint-disable-next-line no-control-regex
  if (/[\u0000-\u001f\u007f#\\]/.test(path)) {
    throw new InputError(
      'Invalid path: control characters, "#" and "\\" are not allowed',
    );
  }
  if (path.startsWith('/') || /^[A-Za-z]:/.test(path) || /^file:/i.test(path)) {
    throw new InputError('Invalid path: it must be relative');
  }
  const segments = path.split('/').filter(s => s !== '');
  if (segments.some(s => s === '.' || s === '..')) {
    throw new InputError('Invalid path: "." and ".." segments are not allowed');
  }
  if (segments.length === 0 && !options.allowRoot) {
    throw new InputError('Invalid path: an artifact path is required');
  }
  return segments.join('/');
}

/** `a/b` + `c` → `a/b/c`, either side possibly empty. */
export function joinArtifactPath(...parts: string[]): string {
  return parts.filter(p => p !== '').join('/');
}
