import { Entity } from '@backstage/catalog-model';
import { ANNOTATION_MLOPS_PIPELINE } from '@backstage-mlops/plugin-mlops-common';

/**
 * True for entities linked to a pipeline (`backstage-mlops.dev/pipeline`):
 * where the pipeline runs card applies.
 *
 * @public
 */
export function isMlopsPipelineRunsAvailable(entity: Entity): boolean {
  return Boolean(entity.metadata.annotations?.[ANNOTATION_MLOPS_PIPELINE]);
}
