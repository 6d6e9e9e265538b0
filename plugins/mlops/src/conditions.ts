import { Entity } from '@backstage/catalog-model';
import {
  MLOPS_OBJECT_LINK_ANNOTATIONS,
  MlopsObjectKind,
  hasMlopsAnnotation,
} from '@backstage-mlops/plugin-mlops-common';

/** True when one of the annotations linking to `kind` is set (MLflow's too). */
function linksTo(entity: Entity, kind: MlopsObjectKind): boolean {
  const annotations = entity.metadata.annotations ?? {};
  return MLOPS_OBJECT_LINK_ANNOTATIONS[kind].some(key =>
    Boolean(annotations[key]),
  );
}

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
 * `backstage-mlops.dev/model` or `mlflow.org/registered-model` annotation):
 * the model cards apply — metrics,
 * drift, deployments and versions.
 *
 * @public
 */
export function isMlopsModelAvailable(entity: Entity): boolean {
  return linksTo(entity, 'model');
}

/**
 * True for entities linked to a pipeline (the `backstage-mlops.dev/pipeline`
 * annotation): the pipeline runs card applies.
 *
 * @public
 */
export function isMlopsPipelineAvailable(entity: Entity): boolean {
  return linksTo(entity, 'pipeline');
}

/**
 * True for entities whose experiment runs can be shown: those linked to an
 * experiment, and ml-model components linked to a model (their runs come
 * from the experiment the registered model names).
 *
 * @public
 */
export function isMlopsExperimentAvailable(entity: Entity): boolean {
  if (linksTo(entity, 'experiment')) {
    return true;
  }
  return (
    entity.kind.toLocaleLowerCase('en-US') === 'component' &&
    (entity.spec as { type?: string } | undefined)?.type === 'ml-model' &&
    linksTo(entity, 'model')
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
