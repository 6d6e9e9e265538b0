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
  FLEET_DEFAULT_PAGE_SIZE,
  FleetModel,
  FleetQuery,
  FleetResponse,
  FleetSortKey,
  HealthStatus,
} from '@backstage-mlops/plugin-mlops-common';
import { ResolvedEntity, mlopsLinksOf } from '../shared/EntityResolver';
import {
  ObjectReadScope,
  UNRESTRICTED_READ_SCOPE,
} from '../permissions/MlopsObjectReadAccess';

/**
 * The fleet's rows: every registered model a caller may read, narrowed by
 * the read scope in SQL (the registry store).
 */
export interface FleetModelSource {
  readableModelSummaries(
    scope: ObjectReadScope,
  ): Promise<
    Array<{ name: string; owner: string | null; description: string | null }>
  >;
}

/** The registry's answer the fleet needs: each model's Production version. */
export interface FleetRegistrySource {
  productionVersions(models: string[]): Promise<Map<string, number>>;
}

/** The drift capability's answer the fleet needs: each model's latest verdict. */
export interface FleetDriftSource {
  latestVerdicts(models: string[]): Promise<
    Map<
      string,
      {
        datasetDrift: boolean;
        driftShare: number;
        driftedFeatures: string[];
        createdAt: string;
      }
    >
  >;
}

/**
 * How many open incidents each model object has (the incident store). The
 * fleet asks about the model objects themselves, so a model no catalog
 * entity claims yet still shows its incidents.
 */
export interface OpenIncidentSource {
  openIncidentCounts(
    kind: 'model',
    names: string[],
  ): Promise<Map<string, number>>;
}

/** The health service's answer the fleet needs, for many entities at once. */
export interface FleetHealthSource {
  statusesOf(
    resolved: ResolvedEntity[],
  ): Promise<Map<string, { status: HealthStatus; problems: string[] }>>;
}

/** Optional data sources behind the fleet's columns; wired when installed. */
export interface FleetSources {
  registry?: FleetRegistrySource;
  drift?: FleetDriftSource;
  incidents?: OpenIncidentSource;
}

const HEALTH_RANK: Record<HealthStatus, number> = {
  unhealthy: 0,
  degraded: 1,
  unknown: 2,
  healthy: 3,
};

// The value each sort key orders by; undefined sorts last in both directions.
const SORT_VALUE: Record<
  FleetSortKey,
  (m: FleetModel) => string | number | undefined
> = {
  health: m => HEALTH_RANK[m.health],
  name: m => m.name,
  owner: m => m.owner,
  productionVersion: m => m.productionVersion ?? undefined,
  drift: m => m.drift?.driftShare,
  openIncidents: m => m.openIncidents ?? undefined,
};

function compareBy(
  sort: FleetSortKey,
  order: 'asc' | 'desc',
): (a: FleetModel, b: FleetModel) => number {
  const value = SORT_VALUE[sort];
  const direction = order === 'asc' ? 1 : -1;
  return (a, b) => {
    const x = value(a);
    const y = value(b);
    if (x !== y) {
      if (x === undefined) return 1;
      if (y === undefined) return -1;
      return (
        direction *
        (typeof x === 'string' && typeof y === 'string'
          ? x.localeCompare(y, 'en-US')
          : Number(x) - Number(y))
      );
    }
    // Ties keep a stable, readable order across pages.
    return a.name.localeCompare(b.name, 'en-US');
  };
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

/**
 * Lists the registered models a caller may read with their owner, health,
 * production version, drift verdict and open incident count, filtered,
 * sorted and cut to one page.
 *
 * Sorting and filtering by health or owner need every model's row (health
 * comes from the detectors' checks, owners from the catalog), so each
 * column is read for the whole fleet in one bulk query per source and slice
 * of names — a constant number of queries however large the fleet — and the
 * page is cut in memory. Which models a caller sees is decided in SQL by the
 * read scope; which entities, by the catalog with the caller's credentials.
 */
export class FleetService {
  constructor(
    private readonly options: {
      models: FleetModelSource;
      catalog: CatalogService;
      health: FleetHealthSource;
      logger: LoggerService;
      sources?: FleetSources;
    },
  ) {}

  async list(
    query: FleetQuery,
    credentials: BackstageCredentials,
    scope: ObjectReadScope = UNRESTRICTED_READ_SCOPE,
  ): Promise<FleetResponse> {
    const { catalog, sources = {} } = this.options;
    const sort = query.sort ?? 'health';
    const order = query.order ?? 'asc';
    const offset = query.offset ?? 0;
    const limit = query.limit ?? FLEET_DEFAULT_PAGE_SIZE;
    const rows = await this.options.models.readableModelSummaries(scope);

    const { items: entities } = await catalog.getEntities(
      {
        filter: {
          [`metadata.annotations.${ANNOTATION_MLOPS_MODEL}`]:
            CATALOG_FILTER_EXISTS,
        },
        // Only what a row shows: a large catalog's specs and relations
        // would otherwise cross the wire for nothing.
        fields: [
          'kind',
          'metadata.name',
          'metadata.namespace',
          'metadata.title',
          'metadata.description',
          'metadata.annotations',
          'spec.type',
          'spec.owner',
        ],
      },
      { credentials },
    );
    const linksOf = new Map(entities.map(e => [e, mlopsLinksOf(e)]));
    const entityByModel = new Map<string, Entity>();
    for (const entity of entities) {
      for (const link of linksOf.get(entity)!) {
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
      return {
        row,
        entity,
        entityRef: entity ? stringifyEntityRef(entity) : undefined,
        owner,
      };
    });
    const owners = Array.from(
      new Set(candidates.map(c => c.owner).filter((o): o is string => !!o)),
    ).sort();

    const wantedOwner = normalizeOwner(query.owner);
    const selected = wantedOwner
      ? candidates.filter(c => c.owner === wantedOwner)
      : candidates;
    const names = selected.map(c => c.row.name);

    const [health, production, drift, openIncidents] = await Promise.all([
      this.optional('health', async () =>
        this.options.health.statusesOf(
          selected.flatMap(c =>
            c.entity
              ? [
                  {
                    entity: c.entity,
                    entityRef: c.entityRef!,
                    links: linksOf.get(c.entity)!,
                  },
                ]
              : [],
          ),
        ),
      ),
      sources.registry
        ? this.optional('registry', () =>
            sources.registry!.productionVersions(names),
          )
        : undefined,
      sources.drift
        ? this.optional('drift', () => sources.drift!.latestVerdicts(names))
        : undefined,
      sources.incidents
        ? this.optional('incidents', () =>
            sources.incidents!.openIncidentCounts('model', names),
          )
        : undefined,
    ]);

    const models: FleetModel[] = selected.map(
      ({ row, entity, entityRef, owner }) => {
        // Without a catalog entity there is nothing the detectors report on.
        const judged = entityRef ? health?.get(entityRef) : undefined;
        const verdict = drift?.get(row.name);
        return {
          name: row.name,
          description:
            row.description ?? entity?.metadata.description ?? undefined,
          owner,
          entityRef,
          title: entity?.metadata.title,
          health: judged?.status ?? 'unknown',
          problems: judged?.problems ?? [],
          productionVersion: production?.get(row.name) ?? null,
          drift: verdict
            ? {
                datasetDrift: verdict.datasetDrift,
                driftShare: verdict.driftShare,
                driftedFeatures: verdict.driftedFeatures,
                checkedAt: verdict.createdAt,
              }
            : null,
          // A source that failed leaves its column empty, not zero.
          openIncidents: openIncidents
            ? openIncidents.get(row.name) ?? 0
            : null,
        };
      },
    );
    const filtered = query.status?.length
      ? models.filter(m => query.status!.includes(m.health))
      : models;
    filtered.sort(compareBy(sort, order));
    return {
      items: filtered.slice(offset, offset + limit),
      total: filtered.length,
      offset,
      limit,
      sort,
      order,
      owners,
      available: {
        productionVersion: !!sources.registry,
        drift: !!sources.drift,
        openIncidents: !!sources.incidents,
      },
    };
  }

  // A failing source must not blank the whole fleet view: its column stays
  // empty and the rest still shows.
  private async optional<T>(
    source: string,
    fn: () => Promise<T>,
  ): Promise<T | undefined> {
    try {
      return await fn();
    } catch (error) {
      this.options.logger.warn(`Fleet view could not read ${source}: ${error}`);
      return undefined;
    }
  }
}
