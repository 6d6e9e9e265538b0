import type {
  MlopsSourceHttpClient,
  MlopsSourceHttpError as MlopsSourceHttpErrorShape,
  MlopsSourceHttpRequest,
} from '@backstage-mlops/plugin-mlops-node';
import { SecretMask } from './secrets';

/** How hard the client tries one instance. */
export interface SourceHttpSettings {
  /** Per request, including reading the body. */
  requestTimeoutMs: number;
  requestsPerSecond: number;
  /** Attempts per request (1 = no retry). */
  attempts: number;
  /** First backoff; doubles per attempt, with jitter. */
  backoffMs: number;
  /** Consecutive failed requests that open the circuit. */
  circuitThreshold: number;
  /** How long an open circuit refuses calls; doubles while it keeps failing. */
  circuitCooldownMs: number;
  circuitMaxCooldownMs: number;
}

/** Defaults for settings an instance does not give. */
export const DEFAULT_HTTP_SETTINGS: SourceHttpSettings = {
  requestTimeoutMs: 30_000,
  requestsPerSecond: 50,
  attempts: 3,
  backoffMs: 500,
  circuitThreshold: 5,
  circuitCooldownMs: 60_000,
  circuitMaxCooldownMs: 10 * 60_000,
};

/** What {@link MlopsSourceHttpClient.json} throws. */
export class MlopsSourceHttpError
  extends Error
  implements MlopsSourceHttpErrorShape
{
  override readonly name = 'MlopsSourceHttpError' as const;
  constructor(
    message: string,
    readonly status: number,
    readonly code?: string,
  ) {
    super(message);
  }
}

/**
 * Shared state of one instance's calls: the rate limit's next free slot and
 * the circuit. Kept per replica; each replica learns on its own that a source
 * is down, within `circuitThreshold` calls.
 */
export class SourceCircuit {
  private failures = 0;
  private openUntil = 0;
  private cooldownMs: number;
  private nextSlot = 0;

  constructor(
    private readonly settings: SourceHttpSettings,
    private readonly now: () => number = Date.now,
  ) {
    this.cooldownMs = settings.circuitCooldownMs;
  }

  /** When the circuit lets calls through again, if it is open. */
  openUntilMs(): number | undefined {
    return this.openUntil > this.now() ? this.openUntil : undefined;
  }

  /** Resolves when the rate limit allows the next call. */
  async slot(signal?: AbortSignal): Promise<void> {
    const now = this.now();
    const at = Math.max(now, this.nextSlot);
    this.nextSlot = at + 1000 / this.settings.requestsPerSecond;
    if (at > now) {
      await sleep(at - now, signal);
    }
  }

  succeeded(): void {
    this.failures = 0;
    this.openUntil = 0;
    this.cooldownMs = this.settings.circuitCooldownMs;
  }

  failed(): void {
    this.failures += 1;
    if (this.failures >= this.settings.circuitThreshold) {
      this.openUntil = this.now() + this.cooldownMs;
      this.cooldownMs = Math.min(
        this.cooldownMs * 2,
        this.settings.circuitMaxCooldownMs,
      );
      // Half open: after the cooldown one failure reopens it.
      this.failures = this.settings.circuitThreshold - 1;
    }
  }
}

function sleep(ms: number, signal?: AbortSignal): Promise<void> {
  return new Promise((resolve, reject) => {
    if (signal?.aborted) {
      reject(signal.reason);
      return;
    }
    let timer: ReturnType<typeof setTimeout> | undefined = undefined;
    const onAbort = () => {
      clearTimeout(timer);
      reject(signal!.reason);
    };
    timer = setTimeout(() => {
      signal?.removeEventListener('abort', onAbort);
      resolve();
    }, ms);
    signal?.addEventListener('abort', onAbort, { once: true });
  });
}

function retryable(status: number): boolean {
  return status === 0 || status === 429 || status >= 500;
}

/** MLflow says `{error_code, message}`; others `{detail}` or `{error}`. */
function upstreamError(body: string): { code?: string; message?: string } {
  try {
    const parsed = JSON.parse(body);
    if (parsed && typeof parsed === 'object') {
      const message = [parsed.message, parsed.detail, parsed.error].find(
        (m): m is string => typeof m === 'string',
      );
      const code =
        typeof parsed.error_code === 'string' ? parsed.error_code : undefined;
      return { code, message };
    }
  } catch {
    // not JSON
  }
  return {};
}

/**
 * JSON over HTTP to one source instance: only below its base URL, with a
 * timeout, retries with backoff, a rate limit and a circuit breaker. Error
 * messages carry the method, path, status and the upstream's own message,
 * each passed through the instance's secret mask.
 */
export class SourceHttpClient implements MlopsSourceHttpClient {
  private readonly base: URL;

  constructor(
    baseUrl: string,
    private readonly options: {
      settings: SourceHttpSettings;
      circuit: SourceCircuit;
      mask: SecretMask;
      /** The sync's signal: aborting it stops waiting and in-flight calls. */
      signal?: AbortSignal;
      fetchImpl?: typeof fetch;
    },
  ) {
    this.base = new URL(baseUrl.endsWith('/') ? baseUrl : `${baseUrl}/`);
  }

  /** The URL for a path below the base URL; anything else is refused. */
  resolve(request: MlopsSourceHttpRequest): URL {
    if (!request.path.startsWith('/') || request.path.startsWith('//')) {
      throw new MlopsSourceHttpError(
        `Source path must start with a single "/"`,
        0,
      );
    }
    const url = new URL(request.path.slice(1), this.base);
    if (
      url.origin !== this.base.origin ||
      !url.pathname.startsWith(this.base.pathname)
    ) {
      throw new MlopsSourceHttpError(
        'Source path leaves the configured base URL',
        0,
      );
    }
    for (const [key, value] of Object.entries(request.query ?? {})) {
      if (value === undefined) continue;
      for (const item of Array.isArray(value) ? value : [value]) {
        url.searchParams.append(key, String(item));
      }
    }
    return url;
  }

  async json<T = unknown>(request: MlopsSourceHttpRequest): Promise<T> {
    const { settings, circuit, mask } = this.options;
    const method =
      request.method ?? (request.body === undefined ? 'GET' : 'POST');
    const url = this.resolve(request);
    const where = `${method} ${url.pathname}`;
    const openUntil = circuit.openUntilMs();
    if (openUntil) {
      throw new MlopsSourceHttpError(
        `Not calling ${where}: the source failed repeatedly, retrying after ${new Date(
          openUntil,
        ).toISOString()}`,
        0,
        'CIRCUIT_OPEN',
      );
    }
    let lastError: MlopsSourceHttpError | undefined;
    for (let attempt = 1; attempt <= settings.attempts; attempt++) {
      if (attempt > 1) {
        const backoff =
          settings.backoffMs * 2 ** (attempt - 2) * (0.5 + Math.random());
        await sleep(backoff, this.options.signal);
      }
      await circuit.slot(this.options.signal);
      try {
        const result = await this.once<T>(url, method, request, where);
        circuit.succeeded();
        return result;
      } catch (error) {
        if (this.options.signal?.aborted) {
          throw error;
        }
        lastError =
          error instanceof MlopsSourceHttpError
            ? error
            : new MlopsSourceHttpError(
                mask.apply(`${where} failed: ${String(error)}`),
                0,
              );
        if (!retryable(lastError.status)) {
          // The source answered; it is up, the request is wrong.
          circuit.succeeded();
          throw lastError;
        }
      }
    }
    circuit.failed();
    throw lastError ?? new MlopsSourceHttpError(`${where} failed`, 0);
  }

  private async once<T>(
    url: URL,
    method: string,
    request: MlopsSourceHttpRequest,
    where: string,
  ): Promise<T> {
    const { settings, mask } = this.options;
    const timeout = AbortSignal.timeout(settings.requestTimeoutMs);
    const signal = this.options.signal
      ? AbortSignal.any([this.options.signal, timeout])
      : timeout;
    let response: Response;
    let text: string;
    try {
      response = await (this.options.fetchImpl ?? fetch)(url, {
        method,
        headers: {
          accept: 'application/json',
          ...(request.body !== undefined
            ? { 'content-type': 'application/json' }
            : {}),
          ...request.headers,
        },
        body:
          request.body === undefined ? undefined : JSON.stringify(request.body),
        signal,
        redirect: 'error',
      });
      text = await response.text();
    } catch (error) {
      if (timeout.aborted) {
        throw new MlopsSourceHttpError(
          `${where} timed out after ${settings.requestTimeoutMs} ms`,
          0,
          'TIMEOUT',
        );
      }
      const cause = (error as { cause?: { code?: string } }).cause?.code;
      throw new MlopsSourceHttpError(
        mask.apply(`${where} failed: ${cause ?? (error as Error).message}`),
        0,
        cause,
      );
    }
    if (!response.ok) {
      const upstream = upstreamError(text);
      throw new MlopsSourceHttpError(
        mask.apply(
          `${where} answered ${response.status}${
            upstream.message ? `: ${upstream.message.slice(0, 300)}` : ''
          }`,
        ),
        response.status,
        upstream.code,
      );
    }
    try {
      return (text === '' ? {} : JSON.parse(text)) as T;
    } catch {
      throw new MlopsSourceHttpError(
        `${where} answered ${response.status} with a body that is not JSON`,
        response.status,
        'NOT_JSON',
      );
    }
  }
}
