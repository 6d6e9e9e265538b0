/**
 * Only the origin of a URL, for logs and messages: paths and query strings
 * of webhook URLs often carry tokens.
 */
export function redactUrl(url: string): string {
  try {
    return new URL(url).origin;
  } catch {
    return '<invalid url>';
  }
}
