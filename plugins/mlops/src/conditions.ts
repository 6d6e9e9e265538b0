import { Entity } from '@backstage/catalog-model';
import { hasMlopsAnnotation } from '@backstage-mlops/plugin-mlops-common';

/**
 * True for entities that carry a `backstage-mlops.dev/*` annotation; use it
 * with `EntitySwitch` to show the MLOps cards only where they apply.
 *
 * @public
 */
export function isMlopsAvailable(entity: Entity): boolean {
  return hasMlopsAnnotation(entity);
}
