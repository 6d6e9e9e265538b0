import { InputError } from '@backstage/errors';
import { Knex } from 'knex';
import { safeArtifactPath } from './paths';

/** MLflow's scheme for artifacts served by a tracking server's proxy. */
export const PROXY_SCHEME = 'mlflow-artifacts:';
/** The scheme this portal once answered; URIs stored with it still resolve. */
const LEGACY_SCHEME = 'mlops-artifacts:';

/*
 * Schemes a requested `artifact_location` may use: the portal's proxy, and
 * the object stores MLflow clients write to directly. Local paths and
 * `file:` are refused: they name a folder on one machine, which nobody else
 * (the portal included) could read.
 */
const REQUESTABLE_SCHEMES = [
  'mlflow-artifacts:',
  's3:',
  'gs:',
  'wasbs:',
  'abfss:',
  'hdfs:',
  'dbfs:',
  'http:',
  'https:',
];

/** Bounded, since experiment ids are unbounded; locations never change. */
const CACHE_LIMIT = 10_000;

/**
 * Where each experiment's and run's artifacts live, as MLflow URIs:
 * `mlflow-artifacts:/<experiment>` unless the experiment was created with an
 * `artifact_location`, and `<experiment location>/<run id>/artifacts` for a
 * run, as MLflow's own server lays them out.
 */
export class ArtifactLocations {
  private readonly cache = new Map<string, string>();

  constructor(private readonly db: Knex) {}

  /** Checks a requested `artifact_location`, answering its stored form. */
  static checkRequested(location: string): string {
    const trimmed = location.trim().replace(/\/+$/, '');
    // eslint-disable-next-line no-control-regex
    if (trimmed.length > 1000 || /[\u0000-\u001f\u007f]/.test(trimmed)) {
      throw new InputError(
        'artifact_location must be at most 1000 characters without control characters',
      );
    }
    const scheme = /^[a-z][a-z0-9+.-]*:/i.exec(trimmed)?.[0].toLowerCase();
    if (!scheme || !REQUESTABLE_SCHEMES.includes(scheme)) {
      throw new InputError(
        `artifact_location must be a URI with one of the schemes ${REQUESTABLE_SCHEMES.join(
          ' ',
        )}; local paths are not readable by the portal`,
      );
    }
    if (scheme === PROXY_SCHEME) {
      // Refuses `mlflow-artifacts:/../x` and its encoded forms here, not at
      // the first upload.
      ArtifactLocations.storePathOf(trimmed);
    }
    return trimmed;
  }

  /**
   * The path in the portal's artifact store that a proxied URI names, or
   * `undefined` for a URI the portal does not serve (`s3://…` written by
   * the client itself). Throws an `InputError` for an unsafe path.
   */
  static storePathOf(uri: string): string | undefined {
    const scheme = [PROXY_SCHEME, LEGACY_SCHEME].find(s =>
      uri.toLowerCase().startsWith(s),
    );
    if (!scheme) {
      return undefined;
    }
    let rest = uri.slice(scheme.length);
    if (rest.startsWith('//')) {
      // mlflow-artifacts://host:port/path: the host is the tracking server's.
      const slash = rest.indexOf('/', 2);
      rest = slash === -1 ? '' : rest.slice(slash);
    }
    return safeArtifactPath(rest.replace(/^\/+/, ''), { allowRoot: true });
  }

  /** A URI in the scheme MLflow clients know (the legacy one mapped). */
  static normalize(uri: string): string {
    return uri.toLowerCase().startsWith(LEGACY_SCHEME)
      ? `${PROXY_SCHEME}${uri.slice(LEGACY_SCHEME.length)}`
      : uri;
  }

  /** See the static {@link ArtifactLocations.checkRequested}. */
  checkRequested(location: string): string {
    return ArtifactLocations.checkRequested(location);
  }

  async setRequested(experimentId: string, location: string): Promise<void> {
    await this.db('mlops_experiments')
      .where({ id: experimentId })
      .update({ artifact_location: location });
    this.cache.delete(experimentId);
  }

  /** Locations of several experiments in one query. */
  async experimentLocations(
    experimentIds: string[],
  ): Promise<Map<string, string>> {
    const result = new Map<string, string>();
    const missing: string[] = [];
    for (const id of new Set(experimentIds)) {
      const cached = this.cache.get(id);
      if (cached !== undefined) result.set(id, cached);
      else missing.push(id);
    }
    if (missing.length > 0) {
      const rows: Array<{ id: unknown; artifact_location: string | null }> =
        await this.db('mlops_experiments')
          .whereIn('id', missing)
          .select('id', 'artifact_location');
      const stored = new Map(
        rows.map(r => [String(r.id), r.artifact_location]),
      );
      for (const id of missing) {
        const location = stored.get(id) ?? `${PROXY_SCHEME}/${id}`;
        if (stored.has(id)) {
          if (this.cache.size >= CACHE_LIMIT) this.cache.clear();
          this.cache.set(id, location);
        }
        result.set(id, location);
      }
    }
    return result;
  }

  async experimentLocation(experimentId: string): Promise<string> {
    return (await this.experimentLocations([experimentId])).get(experimentId)!;
  }

  /** A run's artifact root given its experiment's location. */
  static runUriIn(experimentLocation: string, runId: string): string {
    return `${experimentLocation}/${runId}/artifacts`;
  }

  async runUri(experimentId: string, runId: string): Promise<string> {
    return ArtifactLocations.runUriIn(
      await this.experimentLocation(experimentId),
      runId,
    );
  }
}
