import { Entity } from '@backstage/catalog-model';
import { ANNOTATION_MLOPS_MODEL } from '@backstage-mlops/plugin-mlops-common';

/**
 * True for entities linked to a registered model (`backstage-mlops.dev/model`),
 * the entities drift checks exist for.
 *
 * @public
 */
export function isMlopsModel(entity: Entity): boolean {
  return Boolean(entity.metadata.annotations?.[ANNOTATION_MLOPS_MODEL]);
}
