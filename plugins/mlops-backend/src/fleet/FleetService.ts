import {
  BackstageCredentials,
  LoggerService,
} from '@backstage/backend-plugin-api';
import { CATALOG_FILTER_EXISTS } from '@backstage/catalog-client';
import {
  Entity,
  parseEntityRef,
  stringifyEntityRef,
} from '@backstage/catalog-model';
import { CatalogService } from '@backstage/plugin-catalog-node';
import {
  ANNOTATION_MLOPS_MODEL,
  FleetModel,
  FleetResponse,
  HealthStatus,
} from '@backstage-mlops/plugin-mlops-common';
import { Knex } from 'knex';
import { mlopsLinksOf } from '../shared/EntityResolver';
import { HealthSummarizer } from '../triage/TriageService';
import {
  ObjectReadScope,
  UNRESTRICTED_READ_SCOPE,
} from '../permissions/MlopsObjectReadAccess';

/** The registry's answer the fleet needs (see RegistrySource). */
export interface FleetRegistrySource {
  productionVersion(
    model: string,
  ): Promise<{ version: number; metrics: Record<string, number> } | undefined>;
}

/** The drift capability's answer the fleet needs (see DriftSource). */
export interface FleetDriftSource {
  latestReport(model: string): Promise<
    | {
        id: string;
        datasetDrift: boolean;
        driftShare: number;
        driftedFeatures: string[];
        createdAt: string;
      }
    | undefined
  >;
}

/**
 * The open incidents of MLOps objects (the incident store). The fleet asks
 * about each model object itself, so a model no catalog entity claims yet
 * still shows its incidents, and no catalog round trip is needed per row.
 */
export interface OpenIncidentSource {
  openIncidents(
    objects: Array<{ kind: 'model'; name: string }>,
  ): Promise<unknown[]>;
}

/** Optional data sources behind the fleet's columns; wired when installed. */
export interface FleetSources {
  registry?: FleetRegistrySource;
  drift?: FleetDriftSource;
  incidents?: OpenIncidentSource;
}

/** Filters of the fleet view; owners are entity references or bare group names. */
export interface FleetQuery {
  owner?: string;
  status?: HealthStatus[];
}

// Health, registry and drift lookups per model run this many at a time, so a
// fleet of a thousand models neither runs serially nor floods the database.
const CONCURRENCY = 8;

async function mapLimited<T, R>(
  items: T[],
  limit: number,
  fn: (item: T) => Promise<R>,
): Promise<R[]> {
  const results = new Array<R>(items.length);
  let next = 0;
  const workers = Array.from(
    { length: Math.min(limit, items.length) },
    async () => {
      while (next < items.length) {
        const index = next++;
        results[index] = await fn(items[index]);
      }
    },
  );
  await Promise.all(workers);
  return results;
}

/**
 * Normalises an owner to a full entity reference, the way the catalog reads
 * `spec.owner` (a bare name is a group in the given namespace).
 */
export function normalizeOwner(
  owner: string | undefined | null,
  namespace = 'default',
): string | undefined {
  const trimmed = owner?.trim();
  if (!trimmed) {
    return undefined;
  }
  try {
    return stringifyEntityRef(
      parseEntityRef(trimmed, {
        defaultKind: 'group',
        defaultNamespace: namespace,
      }),
    );
  } catch {
    return trimmed.toLocaleLowerCase('en-US');
  }
}

// A model may be claimed by its own Component and by services that serve it;
// the ml-model Component is the page an engineer expects to land on.
function preferModelEntity(current: Entity | undefined, candidate: Entity) {
  if (!current) {
    return candidate;
  }
  const isModel = (e: Entity) =>
    (e.spec as { type?: unknown } | undefined)?.type === 'ml-model';
  return !isModel(current) && isModel(candidate) ? candidate : current;
}

/** How long a model's row is reused, and how many rows are kept. */
export const FLEET_ROW_TTL_MS = 30_000;
export const FLEET_ROW_CACHE_SIZE = 5_000;

/**
 * Lists every registered model with its owner, health, production version,
 * drift verdict and open incident count.
 *
 * A row costs a handful of queries, so a fleet of a thousand models takes
 * seconds to describe. Rows are reused for {@link FLEET_ROW_TTL_MS} (health
 * checks run minutes apart, so nothing newer is lost), which makes switching
 * filters immediate. Which models and entities a caller sees is decided on
 * every request with the caller's own credentials; only the per-model
 * figures are reused.
 */
export class FleetService {
  private readonly rows = new Map<
    string,
    { row: FleetModel; expiresAt: number }
  >();

  constructor(
    private readonly options: {
      db: Knex;
      catalog: CatalogService;
      health: HealthSummarizer;
      logger: LoggerService;
      sources?: FleetSources;
      /** Milliseconds since the epoch; injectable for tests. */
      now?: () => number;
    },
  ) {}

  async list(
    query: FleetQuery,
    credentials: BackstageCredentials,
    scope: ObjectReadScope = UNRESTRICTED_READ_SCOPE,
  ): Promise<FleetResponse> {
    const { db, catalog, sources = {} } = this.options;
    const rows: Array<{
      name: string;
      owner: string | null;
      description: string | null;
    }> = await scope.restrict(
      db('mlops_registered_models')
        .select('name', 'owner', 'description')
        .orderBy('name'),
      'model',
      'name',
    );

    const { items: entities } = await catalog.getEntities(
      {
        filter: {
          [`metadata.annotations.${ANNOTATION_MLOPS_MODEL}`]:
            CATALOG_FILTER_EXISTS,
        },
      },
      { credentials },
    );
    const entityByModel = new Map<string, Entity>();
    for (const entity of entities) {
      for (const link of mlopsLinksOf(entity)) {
        if (link.kind === 'model') {
          entityByModel.set(
            link.name,
            preferModelEntity(entityByModel.get(link.name), entity),
          );
        }
      }
    }

    const candidates = rows.map(row => {
      const entity = entityByModel.get(row.name);
      const owner =
        normalizeOwner(
          (entity?.spec as { owner?: string } | undefined)?.owner,
          entity?.metadata.namespace ?? 'default',
        ) ?? normalizeOwner(row.owner);
      return { row, entity, owner };
    });
    const owners = Array.from(
      new Set(candidates.map(c => c.owner).filter((o): o is string => !!o)),
    ).sort();

    const wantedOwner = normalizeOwner(query.owner);
    const selected = wantedOwner
      ? candidates.filter(c => c.owner === wantedOwner)
      : candidates;

    const models = await mapLimited(selected, CONCURRENCY, c =>
      this.cachedDescribe(c.row, c.entity, c.owner, sources),
    );
    const items = query.status?.length
      ? models.filter(m => query.status!.includes(m.health))
      : models;
    return {
      items,
      total: items.length,
      owners,
      available: {
        productionVersion: !!sources.registry,
        drift: !!sources.drift,
        openIncidents: !!sources.incidents,
      },
    };
  }

  private async cachedDescribe(
    row: { name: string; description: string | null },
    entity: Entity | undefined,
    owner: string | undefined,
    sources: FleetSources,
  ): Promise<FleetModel> {
    const now = (this.options.now ?? Date.now)();
    // The entity and owner are part of the key: another caller may see a
    // different entity for the same model, and its health follows the entity.
    const key = JSON.stringify([
      row.name,
      entity ? stringifyEntityRef(entity) : null,
      entity?.metadata.etag ?? null,
      owner ?? null,
    ]);
    const cached = this.rows.get(key);
    if (cached && cached.expiresAt > now) {
      return cached.row;
    }
    const described = await this.describe(row, entity, owner, sources);
    this.rows.delete(key);
    this.rows.set(key, { row: described, expiresAt: now + FLEET_ROW_TTL_MS });
    // Maps iterate in insertion order, so the first keys are the oldest.
    for (const oldest of this.rows.keys()) {
      if (this.rows.size <= FLEET_ROW_CACHE_SIZE) {
        break;
      }
      this.rows.delete(oldest);
    }
    return described;
  }

  private async describe(
    row: { name: string; description: string | null },
    entity: Entity | undefined,
    owner: string | undefined,
    sources: FleetSources,
  ): Promise<FleetModel> {
    const entityRef = entity ? stringifyEntityRef(entity) : undefined;
    const [summary, production, drift, openIncidents] = await Promise.all([
      entity
        ? this.optional('health', row.name, () =>
            this.options.health.summarize({
              entity,
              entityRef: entityRef!,
              links: mlopsLinksOf(entity),
            }),
          )
        : undefined,
      sources.registry
        ? this.optional('registry', row.name, () =>
            sources.registry!.productionVersion(row.name),
          )
        : undefined,
      sources.drift
        ? this.optional('drift', row.name, () =>
            sources.drift!.latestReport(row.name),
          )
        : undefined,
      sources.incidents
        ? this.optional(
            'incidents',
            row.name,
            async () =>
              (
                await sources.incidents!.openIncidents([
                  { kind: 'model', name: row.name },
                ])
              ).length,
          )
        : undefined,
    ]);
    return {
      name: row.name,
      description: row.description ?? entity?.metadata.description ?? undefined,
      owner,
      entityRef,
      title: entity?.metadata.title,
      // Without a catalog entity there is nothing the detectors report on.
      health: summary?.status ?? 'unknown',
      problems: summary?.reasons.map(r => r.message) ?? [],
      productionVersion: production?.version ?? null,
      drift: drift
        ? {
            datasetDrift: drift.datasetDrift,
            driftShare: drift.driftShare,
            driftedFeatures: drift.driftedFeatures,
            checkedAt: drift.createdAt,
          }
        : null,
      openIncidents: openIncidents ?? null,
    };
  }

  // One model's failing source must not blank the whole fleet view.
  private async optional<T>(
    source: string,
    model: string,
    fn: () => Promise<T>,
  ): Promise<T | undefined> {
    try {
      return await fn();
    } catch (error) {
      this.options.logger.warn(
        `Fleet view could not read ${source} of model ${model}: ${error}`,
      );
      return undefined;
    }
  }
}
