import { Entity } from '@backstage/catalog-model';
import { LocationSpec } from '@backstage/plugin-catalog-common';
import {
  CatalogProcessor,
  CatalogProcessorEmit,
  processingResult,
} from '@backstage/plugin-catalog-node';
import {
  ANNOTATION_MLOPS_LATENCY_P95_MS,
  ANNOTATION_MLOPS_MLFLOW_URL,
  ANNOTATION_MLOPS_ORCHESTRATOR,
  ANNOTATION_MLOPS_SERVING_URL,
  MLOPS_ANNOTATION_PREFIX,
  MLOPS_OBJECT_ANNOTATIONS,
  mlopsNameProblem,
} from '@backstage-mlops/plugin-mlops-common';

const OBJECT_ANNOTATIONS = new Set<string>(
  Object.values(MLOPS_OBJECT_ANNOTATIONS),
);

function urlProblem(value: string): string | undefined {
  try {
    const url = new URL(value);
    return url.protocol === 'http:' || url.protocol === 'https:'
      ? undefined
      : 'must be an http or https URL';
  } catch {
    return 'must be an http or https URL';
  }
}

const VALUE_CHECKS: Record<string, (value: string) => string | undefined> = {
  [ANNOTATION_MLOPS_SERVING_URL]: urlProblem,
  [ANNOTATION_MLOPS_MLFLOW_URL]: urlProblem,
  [ANNOTATION_MLOPS_ORCHESTRATOR]: value =>
    value === 'prefect' || value === 'airflow'
      ? undefined
      : 'must be prefect or airflow',
  [ANNOTATION_MLOPS_LATENCY_P95_MS]: value =>
    /^\d+(\.\d+)?$/.test(value) && Number(value) > 0
      ? undefined
      : 'must be a positive number of milliseconds',
};

/**
 * Finds what is wrong with an entity's `backstage-mlops.dev/*` annotations.
 * Object annotations may name several objects separated by commas.
 */
export function mlopsAnnotationProblems(entity: Entity): string[] {
  const problems: string[] = [];
  for (const [key, value] of Object.entries(
    entity.metadata.annotations ?? {},
  )) {
    if (!key.startsWith(MLOPS_ANNOTATION_PREFIX)) {
      continue;
    }
    if (OBJECT_ANNOTATIONS.has(key)) {
      for (const name of value.split(',').map(s => s.trim())) {
        const problem = mlopsNameProblem(name);
        if (problem) {
          problems.push(`Annotation ${key} value "${name}" ${problem}`);
        }
      }
      continue;
    }
    const check = VALUE_CHECKS[key];
    if (!check) {
      problems.push(`Unknown MLOps annotation ${key}`);
      continue;
    }
    const problem = check(value);
    if (problem) {
      problems.push(`Annotation ${key} ${problem}`);
    }
  }
  return problems;
}

/**
 * Validates the `backstage-mlops.dev/*` annotations of every entity and
 * reports malformed values as processing errors in the entity's status, where
 * the catalog UI shows them to the entity's owners.
 *
 * @public
 */
export class MlopsAnnotationProcessor implements CatalogProcessor {
  getProcessorName(): string {
    return 'MlopsAnnotationProcessor';
  }

  async postProcessEntity(
    entity: Entity,
    location: LocationSpec,
    emit: CatalogProcessorEmit,
  ): Promise<Entity> {
    for (const problem of mlopsAnnotationProblems(entity)) {
      emit(processingResult.inputError(location, problem));
    }
    return entity;
  }
}
