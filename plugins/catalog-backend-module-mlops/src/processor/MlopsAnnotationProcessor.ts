import { LoggerService } from '@backstage/backend-plugin-api';
import {
  Entity,
  RELATION_DEPENDENCY_OF,
  RELATION_DEPENDS_ON,
  parseEntityRef,
  stringifyEntityRef,
} from '@backstage/catalog-model';
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
  MlopsObjectKind,
  MLFLOW_EXPERIMENT_NAME_MAX_LENGTH,
  mlflowNameProblem,
} from '@backstage-mlops/plugin-mlops-common';
import {
  DeclaredEntityIndex,
  objectKey,
  objectsNamedBy,
} from '../provider/DeclaredEntityIndex';
import { isProvidedEntity } from '../provider/objectToEntity';

/** What the processor tells the provider about declarations it sees. */
export interface DeclarationListener {
  declarationSeen(kind: MlopsObjectKind, name: string): Promise<void>;
}

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

/*
 * An annotation may name any object the store can hold, and MLflow's clients
 * create experiments with free-text names (`churn: xgb (v2)`), so names are
 * checked by MLflow's rule, not the stricter one for keys.
 */
function objectNameProblem(name: string): string | undefined {
  return mlflowNameProblem(name, MLFLOW_EXPERIMENT_NAME_MAX_LENGTH);
}

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
        const problem = objectNameProblem(name);
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
 * With an entity index it also relates an entity to the entity that
 * represents each MLOps object it names (a service that serves a model
 * `dependsOn` the model's entity, which is `dependencyOf` the service), and
 * tells the provider about declarations so a mirrored duplicate is withdrawn.
 *
 * @public
 */
export class MlopsAnnotationProcessor implements CatalogProcessor {
  private readonly index?: DeclaredEntityIndex;
  private readonly listener?: DeclarationListener;
  private readonly logger?: LoggerService;

  constructor(options?: {
    index?: DeclaredEntityIndex;
    listener?: DeclarationListener;
    logger?: LoggerService;
  }) {
    this.index = options?.index;
    this.listener = options?.listener;
    this.logger = options?.logger;
  }

  getProcessorName(): string {
    return 'MlopsAnnotationProcessor';
  }

  async postProcessEntity(
    entity: Entity,
    location: LocationSpec,
    emit: CatalogProcessorEmit,
  ): Promise<Entity> {
    const problems = mlopsAnnotationProblems(entity);
    for (const problem of problems) {
      emit(processingResult.inputError(location, problem));
    }
    const named = objectsNamedBy(entity).filter(
      ({ name }) => objectNameProblem(name) === undefined,
    );
    if (named.length === 0) {
      return entity;
    }
    try {
      if (this.listener && !isProvidedEntity(entity)) {
        for (const { kind, name } of named) {
          await this.listener.declarationSeen(kind, name);
        }
      }
      if (this.index) {
        await this.emitRelations(entity, named, emit);
      }
    } catch (error) {
      // Relations are extras: the entity itself still processes normally.
      this.logger?.warn(
        `MLOps relations for ${stringifyEntityRef(entity)} failed: ${error}`,
      );
    }
    return entity;
  }

  private async emitRelations(
    entity: Entity,
    named: Array<{ kind: MlopsObjectKind; name: string }>,
    emit: CatalogProcessorEmit,
  ) {
    const { declared, provided } = await this.index!.load();
    const self = stringifyEntityRef(entity);
    const selfRef = parseEntityRef(self);
    for (const { kind, name } of named) {
      const key = objectKey(kind, name);
      const representative = declared.get(key) ?? provided.get(key);
      if (!representative || representative === self) {
        continue;
      }
      const target = parseEntityRef(representative);
      emit(
        processingResult.relation({
          source: selfRef,
          type: RELATION_DEPENDS_ON,
          target,
        }),
      );
      emit(
        processingResult.relation({
          source: target,
          type: RELATION_DEPENDENCY_OF,
          target: selfRef,
        }),
      );
    }
  }
}
