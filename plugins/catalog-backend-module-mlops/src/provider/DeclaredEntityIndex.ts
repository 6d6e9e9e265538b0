import { AuthService } from '@backstage/backend-plugin-api';
import { CATALOG_FILTER_EXISTS } from '@backstage/catalog-client';
import { Entity, stringifyEntityRef } from '@backstage/catalog-model';
import { CatalogService } from '@backstage/plugin-catalog-node';
import {
  MLOPS_OBJECT_LINK_ANNOTATIONS,
  MlopsObjectKind,
  mlopsObjectLinksOf,
} from '@backstage-mlops/plugin-mlops-common';
import { ENTITY_SHAPE } from './entityNames';
import { isProvidedEntity } from './objectToEntity';

/** Key of a store object in the index: `kind:name`. */
export function objectKey(kind: MlopsObjectKind, name: string): string {
  return `${kind}:${name}`;
}

/**
 * The store objects an entity's annotations name, comma lists split; MLflow's
 * annotations claim mirrored objects like the portal's own.
 */
export function objectsNamedBy(
  entity: Entity,
): Array<{ kind: MlopsObjectKind; name: string }> {
  return mlopsObjectLinksOf(entity);
}

/** Objects whose declarations one catalog query asks for. */
const OBJECTS_PER_DECLARATION_QUERY = 25;

const ENTITY_FIELDS = [
  'kind',
  'metadata.namespace',
  'metadata.name',
  'metadata.annotations',
  'spec.type',
];

/** Picks the representing entity of each object named by `items`. */
function representatives(items: Entity[]): EntityIndexSnapshot {
  const candidates = new Map<string, Array<{ ref: string; fits: boolean }>>();
  const provided = new Map<string, string>();
  for (const entity of items) {
    const ref = stringifyEntityRef(entity);
    if (isProvidedEntity(entity)) {
      for (const { kind, name } of objectsNamedBy(entity)) {
        provided.set(objectKey(kind, name), ref);
      }
      continue;
    }
    for (const { kind, name } of objectsNamedBy(entity)) {
      const shape = ENTITY_SHAPE[kind];
      const fits =
        entity.kind === shape.kind && entity.spec?.type === shape.type;
      const key = objectKey(kind, name);
      const list = candidates.get(key) ?? [];
      list.push({ ref, fits });
      candidates.set(key, list);
    }
  }
  const declared = new Map<string, string>();
  for (const [key, list] of candidates) {
    list.sort(
      (a, b) => Number(b.fits) - Number(a.fits) || a.ref.localeCompare(b.ref),
    );
    declared.set(key, list[0].ref);
  }
  return { declared, provided };
}

/** What the index knows about the entities that name store objects. */
export interface EntityIndexSnapshot {
  /** `kind:name` → ref of the entity declared outside the provider. */
  declared: Map<string, string>;
  /** `kind:name` → ref of the entity the provider emitted. */
  provided: Map<string, string>;
}

/**
 * Which store objects are declared by entities from catalog-info.yaml files
 * (or any source other than the MLOps provider), and which entity represents
 * each. Built from one catalog query, cached for a short time so the
 * processor can consult it for every entity it sees.
 */
export class DeclaredEntityIndex {
  private readonly catalog: CatalogService;
  private readonly auth: AuthService;
  private readonly ttlMs: number;
  private cached?: { at: number; snapshot: EntityIndexSnapshot };
  private loading?: Promise<EntityIndexSnapshot>;

  constructor(options: {
    catalog: CatalogService;
    auth: AuthService;
    /** How long a loaded index is trusted. Default one minute. */
    ttlMs?: number;
  }) {
    this.catalog = options.catalog;
    this.auth = options.auth;
    this.ttlMs = options.ttlMs ?? 60_000;
  }

  /**
   * Maps from `kind:name` to the ref of the representing entity. Several
   * declarations of one object resolve to the entity whose kind and type
   * match the entity model, then to the first ref in sort order, so the
   * answer does not depend on query order.
   */
  async load(options?: { fresh?: boolean }): Promise<EntityIndexSnapshot> {
    if (
      !options?.fresh &&
      this.cached &&
      Date.now() - this.cached.at < this.ttlMs
    ) {
      return this.cached.snapshot;
    }
    if (!this.loading) {
      this.loading = this.query().finally(() => {
        this.loading = undefined;
      });
    }
    return this.loading;
  }

  /**
   * The entities declared for these objects (`kind:name` → entity ref, only
   * for those declared), asked of the catalog directly so a burst of
   * changes never loads the whole index. Values that list several objects
   * (`a, b`) do not match the exact-value query; the cached index covers
   * those.
   */
  async declaredFor(
    objects: Array<{ kind: MlopsObjectKind; name: string }>,
  ): Promise<Map<string, string>> {
    const found = new Map<string, string>();
    const credentials = await this.auth.getOwnServiceCredentials();
    // The catalog client sends filters in the query string: a few dozen
    // objects per request keeps its URL well under Node's header limit.
    for (let i = 0; i < objects.length; i += OBJECTS_PER_DECLARATION_QUERY) {
      const chunk = objects.slice(i, i + OBJECTS_PER_DECLARATION_QUERY);
      const { items } = await this.catalog.getEntities(
        {
          filter: chunk.flatMap(({ kind, name }) =>
            MLOPS_OBJECT_LINK_ANNOTATIONS[kind].map(annotation => ({
              [`metadata.annotations.${annotation}`]: name,
            })),
          ),
          fields: ENTITY_FIELDS,
        },
        { credentials },
      );
      const exact = representatives(items).declared;
      for (const { kind, name } of chunk) {
        const key = objectKey(kind, name);
        const ref = exact.get(key);
        if (ref) found.set(key, ref);
      }
    }
    if (found.size < objects.length) {
      const { declared } = await this.load();
      for (const { kind, name } of objects) {
        const key = objectKey(kind, name);
        const ref = declared.get(key);
        if (!found.has(key) && ref) found.set(key, ref);
      }
    }
    return found;
  }

  /** Forget the cached index (a declaration was just seen). */
  invalidate(): void {
    this.cached = undefined;
  }

  private async query(): Promise<EntityIndexSnapshot> {
    const { items } = await this.catalog.getEntities(
      {
        filter: Object.values(MLOPS_OBJECT_LINK_ANNOTATIONS)
          .flat()
          .map(annotation => ({
            [`metadata.annotations.${annotation}`]: CATALOG_FILTER_EXISTS,
          })),
        fields: ENTITY_FIELDS,
      },
      { credentials: await this.auth.getOwnServiceCredentials() },
    );
    const snapshot = representatives(items);
    this.cached = { at: Date.now(), snapshot };
    return snapshot;
  }
}
