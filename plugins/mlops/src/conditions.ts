import { Entity } from '@backstage/catalog-model';
import {
  ANNOTATION_MLOPS_EXPERIMENT,
  ANNOTATION_MLOPS_MODEL,
  ANNOTATION_MLOPS_PIPELINE,
  hasMlopsAnnotation,
} from '@backstage-mlops/plugin-mlops-common';

/**
 * True for entities that carry a `backstage-mlops.dev/*` annotation; use it
 * with `EntitySwitch` to show the MLOps cards only where they apply.
 *
 * @public
 */
export function isMlopsAvailable(entity: Entity): boolean {
  return hasMlopsAnnotation(entity);
}

/**
 * True for entities linked to a registered model (the
 * `backstage-mlops.dev/model` annotation): the model cards apply — metrics,
 * drift, deployments and versions.
 *
 * @public
 */
export function isMlopsModelAvailable(entity: Entity): boolean {
  return Boolean(entity.metadata.annotations?.[ANNOTATION_MLOPS_MODEL]);
}

/**
 * True for entities linked to a pipeline (the `backstage-mlops.dev/pipeline`
 * annotation): the pipeline runs card applies.
 *
 * @public
 */
export function isMlopsPipelineAvailable(entity: Entity): boolean {
  return Boolean(entity.metadata.annotations?.[ANNOTATION_MLOPS_PIPELINE]);
}

/**
 * True for entities whose experiment runs can be shown: those linked to an
 * experiment, and ml-model components linked to a model (their runs come
 * from the experiment the registered model names).
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

/**
 * True for Group entities: the team card applies.
 *
 * @public
 */
export function isMlopsTeamAvailable(entity: Entity): boolean {
  return entity.kind.toLocaleLowerCase('en-US') === 'group';
}
