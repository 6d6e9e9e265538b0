import type { Config } from '@backstage/config';

/** Config keys whose values are always secrets, at any depth. */
export const ALWAYS_SECRET_KEYS = [
  'token',
  'password',
  'apiKey',
  'webhookSecret',
  'clientSecret',
];

/**
 * Replaces an instance's secrets in text before the text is stored, logged or
 * answered: the values of its secret keys, and the forms they travel in
 * (basic auth's base64 of `user:password`, URL encoding).
 */
export class SecretMask {
  private readonly secrets: string[];

  constructor(secrets: string[]) {
    // Longest first, so a secret containing another is masked whole.
    this.secrets = [...new Set(secrets.filter(s => s.length >= 3))].sort(
      (a, b) => b.length - a.length,
    );
  }

  static fromConfig(config: Config, extraKeys: string[] = []): SecretMask {
    const keys = new Set([...ALWAYS_SECRET_KEYS, ...extraKeys]);
    const values: string[] = [];
    const walk = (value: unknown, key?: string) => {
      if (typeof value === 'string' && key !== undefined && keys.has(key)) {
        values.push(value);
      } else if (Array.isArray(value)) {
        value.forEach(item => walk(item, key));
      } else if (value && typeof value === 'object') {
        for (const [k, v] of Object.entries(value)) walk(v, k);
      }
    };
    const raw = config.get() as Record<string, unknown>;
    walk(raw);
    const username = config.getOptionalString('username');
    const password = config.getOptionalString('password');
    if (username !== undefined && password !== undefined) {
      values.push(Buffer.from(`${username}:${password}`).toString('base64'));
    }
    for (const value of [...values]) {
      values.push(encodeURIComponent(value));
    }
    return new SecretMask(values);
  }

  apply(text: string): string {
    let out = text;
    for (const secret of this.secrets) {
      out = out.split(secret).join('***');
    }
    return out;
  }
}
