import { Entity } from '@backstage/catalog-model';
import { ANNOTATION_MLOPS_MODEL } from '@backstage-mlops/plugin-mlops-common';

/**
 * True for entities linked to a registered model (`backstage-mlops.dev/model`):
 * where the deployments card applies.
 *
 * @public
 */
export function isMlopsDeploymentsAvailable(entity: Entity): boolean {
  return Boolean(entity.metadata.annotations?.[ANNOTATION_MLOPS_MODEL]);
}
