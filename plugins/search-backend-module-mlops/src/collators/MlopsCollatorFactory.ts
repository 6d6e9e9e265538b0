import { AuthService, LoggerService } from '@backstage/backend-plugin-api';
import { CATALOG_FILTER_EXISTS } from '@backstage/catalog-client';
import {
  Entity,
  getCompoundEntityRef,
  parseEntityRef,
  stringifyEntityRef,
} from '@backstage/catalog-model';
import { catalogEntityReadPermission } from '@backstage/plugin-catalog-common/alpha';
import { CatalogService } from '@backstage/plugin-catalog-node';
import {
  DocumentCollatorFactory,
  IndexableDocument,
} from '@backstage/plugin-search-common';
import {
  FleetModel,
  HealthStatus,
  MLOPS_OBJECT_LINK_ANNOTATIONS,
  MLOPS_SEARCH_DOCUMENT_TYPE,
  MlopsObjectKind,
  MlopsSearchDocument,
  PIPELINE_ORCHESTRATOR_ANNOTATIONS,
  TRIAGE_ENTRIES,
  TriageEntry,
  getFailureClass,
  mlopsObjectLinksOf,
} from '@backstage-mlops/plugin-mlops-common';
import { Readable } from 'node:stream';
import { MlopsIndexSource } from './MlopsApiReader';

/** An MLOps search document as the search engine stores it. */
export type MlopsIndexableDocument = MlopsSearchDocument & IndexableDocument;

/** Entities asked of the catalog per page. */
const CATALOG_PAGE = 500;
/** Health summaries of pipelines and experiments read at once. */
const HEALTH_CONCURRENCY = 4;

const TYPE_KIND: Record<string, MlopsObjectKind> = {
  'ml-model': 'model',
  'ml-pipeline': 'pipeline',
  'ml-experiment': 'experiment',
};

const HEALTH_WORDS: Record<HealthStatus, string> = {
  healthy: 'Healthy',
  degraded: 'Degraded',
  unhealthy: 'Unhealthy',
  unknown: 'Health unknown',
};

async function mapLimited<T, R>(
  items: T[],
  limit: number,
  fn: (item: T) => Promise<R>,
): Promise<R[]> {
  const results = new Array<R>(items.length);
  let next = 0;
  await Promise.all(
    Array.from({ length: Math.min(limit, items.length) }, async () => {
      while (next < items.length) {
        const index = next++;
        results[index] = await fn(items[index]);
      }
    }),
  );
  return results;
}

function ownerOf(entity: Entity): string | undefined {
  const owner = (entity.spec as { owner?: unknown } | undefined)?.owner;
  if (typeof owner !== 'string' || !owner.trim()) {
    return undefined;
  }
  try {
    return stringifyEntityRef(
      parseEntityRef(owner, {
        defaultKind: 'group',
        defaultNamespace: entity.metadata.namespace ?? 'default',
      }),
    );
  } catch {
    return owner;
  }
}

/**
 * Indexes, under the search type `mlops`, every catalog entity an MLOps
 * annotation links to a model, pipeline or experiment — with its health,
 * top reasons and Production version, linking to the entity's MLOps tab —
 * and every entry of the triage guide, linking to the entry on the MLOps
 * page. Entity documents carry the entity as their authorization resource,
 * so a result shows only to those who may read the entity (as the catalog
 * collator does).
 */
export class MlopsCollatorFactory implements DocumentCollatorFactory {
  readonly type = MLOPS_SEARCH_DOCUMENT_TYPE;
  readonly visibilityPermission = catalogEntityReadPermission;

  constructor(
    private readonly options: {
      auth: AuthService;
      catalog: CatalogService;
      logger: LoggerService;
      source: MlopsIndexSource;
      /** Where the app mounts the MLOps page; default `/mlops`. */
      mlopsPagePath?: string;
    },
  ) {}

  async getCollator(): Promise<Readable> {
    return Readable.from(this.execute());
  }

  async *execute(): AsyncGenerator<MlopsIndexableDocument> {
    for (const entry of TRIAGE_ENTRIES) {
      yield this.triageDocument(entry);
    }
    const fleet = await this.fleet();
    const byEntity = new Map(
      fleet.filter(m => m.entityRef).map(m => [m.entityRef!, m]),
    );
    const byModel = new Map(fleet.map(m => [m.name, m]));
    for await (const entities of this.entityPages()) {
      const documents = await mapLimited(entities, HEALTH_CONCURRENCY, entity =>
        this.entityDocument(entity, byEntity, byModel),
      );
      yield* documents;
    }
  }

  private async fleet(): Promise<FleetModel[]> {
    try {
      return await this.options.source.fleet();
    } catch (error) {
      // Entities are still worth finding without their health.
      this.options.logger.warn(
        `MLOps search collator could not read the fleet: ${error}`,
      );
      return [];
    }
  }

  private async *entityPages(): AsyncGenerator<Entity[]> {
    const { catalog, auth } = this.options;
    const keys = [
      ...Object.values(MLOPS_OBJECT_LINK_ANNOTATIONS).flat(),
      ...PIPELINE_ORCHESTRATOR_ANNOTATIONS,
    ];
    const filter = [...new Set(keys)].map(key => ({
      [`metadata.annotations.${key}`]: CATALOG_FILTER_EXISTS,
    }));
    let cursor: string | undefined;
    do {
      const response = await catalog.queryEntities(
        cursor
          ? { cursor, limit: CATALOG_PAGE }
          : {
              filter,
              limit: CATALOG_PAGE,
              orderFields: { field: 'metadata.name', order: 'asc' },
            },
        { credentials: await auth.getOwnServiceCredentials() },
      );
      yield response.items;
      cursor = response.pageInfo.nextCursor;
    } while (cursor);
  }

  private async entityDocument(
    entity: Entity,
    byEntity: Map<string, FleetModel>,
    byModel: Map<string, FleetModel>,
  ): Promise<MlopsIndexableDocument> {
    const entityRef = stringifyEntityRef(entity);
    const links = mlopsObjectLinksOf(entity);
    const type = (entity.spec as { type?: unknown } | undefined)?.type;
    const mlopsKind =
      (typeof type === 'string' ? TYPE_KIND[type] : undefined) ??
      links[0]?.kind ??
      'model';
    const fleetRow = byEntity.get(entityRef);
    let health: HealthStatus | undefined = fleetRow?.health;
    let problems = fleetRow?.problems;
    if (!fleetRow) {
      try {
        const summary = await this.options.source.health(
          getCompoundEntityRef(entity),
        );
        health = summary.status;
        problems = summary.reasons.map(r => r.message);
      } catch (error) {
        this.options.logger.warn(
          `MLOps search collator could not read the health of ${entityRef}: ${error}`,
        );
      }
    }
    const productionVersion = links
      .filter(l => l.kind === 'model')
      .map(l => byModel.get(l.name)?.productionVersion)
      .find((v): v is number => typeof v === 'number');
    const owner = ownerOf(entity);
    const title = entity.metadata.title ?? entity.metadata.name;
    const text = [
      entity.metadata.description,
      `ML ${mlopsKind} ${entity.metadata.name}`,
      ...links.map(l => `${l.kind} ${l.name}`),
      health ? HEALTH_WORDS[health] : undefined,
      ...(problems ?? []),
      productionVersion !== undefined
        ? `Production version v${productionVersion}`
        : undefined,
      owner ? `Owned by ${parseEntityRef(owner).name}` : undefined,
      ...(entity.metadata.tags ?? []),
    ]
      .filter((part): part is string => !!part)
      .join('\n');
    const { kind, namespace, name } = getCompoundEntityRef(entity);
    return {
      title,
      text,
      location: `/catalog/${[namespace, kind, name]
        .map(p => encodeURIComponent(p.toLocaleLowerCase('en-US')))
        .join('/')}/mlops`,
      authorization: { resourceRef: entityRef },
      mlopsKind,
      entityRef,
      owner,
      health,
      problems: problems?.slice(0, 3),
      productionVersion,
    };
  }

  private triageDocument(entry: TriageEntry): MlopsIndexableDocument {
    const text = [
      entry.summary,
      ...entry.symptoms,
      ...entry.likelyCauses,
      ...entry.fix,
      ...entry.verify,
      ...entry.prevent,
      ...(entry.investigation ?? []),
      ...entry.triage.map(step => step.description),
      // The classified failures and detector symptoms the entry answers, in
      // words someone pasting an error or an alert would type.
      ...entry.answersFailureClasses.map(id => getFailureClass(id).title),
      ...entry.answersSymptoms.map(symptom => symptom.replace(/_/g, ' ')),
    ].join('\n');
    const page = this.options.mlopsPagePath ?? '/mlops';
    return {
      title: entry.title,
      text,
      location: `${page}?${new URLSearchParams({
        tab: 'guide',
        entry: entry.id,
      })}`,
      mlopsKind: 'triage-entry',
      triageEntryId: entry.id,
      category: entry.category,
    };
  }
}
