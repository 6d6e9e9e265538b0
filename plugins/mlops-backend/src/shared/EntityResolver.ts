import { BackstageCredentials } from '@backstage/backend-plugin-api';
import {
  Entity,
  CompoundEntityRef,
  stringifyEntityRef,
} from '@backstage/catalog-model';
import { NotFoundError } from '@backstage/errors';
import { CatalogService } from '@backstage/plugin-catalog-node';
import {
  mlopsObjectLinksOf,
  MlopsObjectKind,
} from '@backstage-mlops/plugin-mlops-common';

/** An MLOps object an entity points at through one of its annotations. */
export interface MlopsObjectLink {
  kind: MlopsObjectKind;
  name: string;
}

/** A catalog entity together with the MLOps objects it is linked to. */
export interface ResolvedEntity {
  entity: Entity;
  entityRef: string;
  links: MlopsObjectLink[];
}

/**
 * Reads the MLOps object links from an entity's annotations, the portal's
 * own and MLflow's (`mlflow.org/registered-model`, `mlflow.org/experiment-name`).
 * A value may list several names separated by commas (a service that serves
 * two models).
 */
export function mlopsLinksOf(entity: Entity): MlopsObjectLink[] {
  return mlopsObjectLinksOf(entity);
}

/**
 * Resolves the entity of an entity-scoped route through the catalog, with the
 * caller's own credentials so catalog permissions apply.
 */
export class EntityResolver {
  constructor(private readonly catalog: CatalogService) {}

  async resolve(
    ref: CompoundEntityRef,
    credentials: BackstageCredentials,
  ): Promise<ResolvedEntity> {
    const entity = await this.catalog.getEntityByRef(ref, { credentials });
    if (!entity) {
      throw new NotFoundError(
        `No entity ${stringifyEntityRef(ref)} in the catalog`,
      );
    }
    return {
      entity,
      entityRef: stringifyEntityRef(entity),
      links: mlopsLinksOf(entity),
    };
  }
}
