import type { MlopsSourceHttpClient } from '@backstage-mlops/plugin-mlops-node';

/**
 * A plain HTTP client with the contract of the backend's source client
 * (JSON to one base URL, errors with `status`, 0 for timeouts and network
 * errors) but no retries or circuit, for testing a source module's own
 * behaviour. Tests through the whole plugin use the backend's real client.
 *
 * @public
 */
export function plainHttpClient(
  baseUrl: string,
  timeoutMs = 2_000,
): MlopsSourceHttpClient & { calls: number } {
  const client = {
    calls: 0,
    async json<T>(request: Parameters<MlopsSourceHttpClient['json']>[0]) {
      client.calls++;
      const url = new URL(baseUrl + request.path);
      for (const [key, value] of Object.entries(request.query ?? {})) {
        if (value !== undefined) url.searchParams.set(key, String(value));
      }
      let response: Response;
      try {
        response = await fetch(url, {
          method: request.method ?? 'GET',
          headers: {
            ...(request.body !== undefined
              ? { 'content-type': 'application/json' }
              : {}),
            ...request.headers,
          },
          body:
            request.body !== undefined
              ? JSON.stringify(request.body)
              : undefined,
          signal: AbortSignal.timeout(timeoutMs),
        });
      } catch (error) {
        throw Object.assign(new Error(`${request.path}: ${error}`), {
          name: 'MlopsSourceHttpError',
          status: 0,
        });
      }
      if (!response.ok) {
        throw Object.assign(
          new Error(`${request.path} answered ${response.status}`),
          { name: 'MlopsSourceHttpError', status: response.status },
        );
      }
      return (await response.json()) as T;
    },
  };
  return client;
}
