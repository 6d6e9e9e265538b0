import { Entity } from '@backstage/catalog-model';
import { ANNOTATION_MLOPS_MODEL } from '@backstage-mlops/plugin-mlops-common';

/**
 * True for entities linked to a registered model, the entities that have
 * prediction metrics.
 *
 * @public
 */
export function hasMlopsModelAnnotation(entity: Entity): boolean {
  return Boolean(entity.metadata.annotations?.[ANNOTATION_MLOPS_MODEL]);
}
