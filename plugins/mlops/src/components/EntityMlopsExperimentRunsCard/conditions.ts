import { Entity } from '@backstage/catalog-model';
import {
  ANNOTATION_MLOPS_EXPERIMENT,
  ANNOTATION_MLOPS_MODEL,
} from '@backstage-mlops/plugin-mlops-common';

/**
 * True for entities the experiment runs card applies to: those naming an
 * experiment, and ML model components, whose registered model links to one.
 * Kept apart from the card so that the filter never loads the card's code.
 *
 * @public
 */
export function isMlopsExperimentAvailable(entity: Entity): boolean {
  const annotations = entity.metadata.annotations ?? {};
  if (annotations[ANNOTATION_MLOPS_EXPERIMENT]) {
    return true;
  }
  return (
    entity.kind.toLocaleLowerCase('en-US') === 'component' &&
    (entity.spec as { type?: string } | undefined)?.type === 'ml-model' &&
    Boolean(annotations[ANNOTATION_MLOPS_MODEL])
  );
}
