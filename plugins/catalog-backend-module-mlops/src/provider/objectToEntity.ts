import {
  ANNOTATION_LOCATION,
  ANNOTATION_ORIGIN_LOCATION,
  Entity,
  EntityLink,
} from '@backstage/catalog-model';
import {
  ANNOTATION_MLOPS_ORCHESTRATOR,
  ANNOTATION_MLOPS_SERVING_URL,
  MLOPS_OBJECT_ANNOTATIONS,
  MlopsObjectKind,
  MlopsStoreObject,
} from '@backstage-mlops/plugin-mlops-common';
import { ENTITY_SHAPE, entityNameFor, providedEntityRef } from './entityNames';

/** The location type of every entity the provider emits. */
export const MLOPS_LOCATION_TYPE = 'mlops';

const CATALOG_TAG = /^[a-z0-9:+#]+(-[a-z0-9:+#]+)*$/;

/** Looks up which entity represents a store object, when one is declared. */
export type RepresentativeLookup = (
  kind: MlopsObjectKind,
  name: string,
) => string | undefined;

/** True when the entity was emitted by the MLOps provider. */
export function isProvidedEntity(entity: Entity): boolean {
  const location = entity.metadata.annotations?.[ANNOTATION_LOCATION];
  return location?.startsWith(`${MLOPS_LOCATION_TYPE}:`) ?? false;
}

/**
 * Catalog tags from MLflow-style tag keys: lowercased, other characters
 * turned into dashes. MLflow's own bookkeeping tags (`mlflow.*`) and keys
 * that still do not fit the catalog's rule are left out.
 */
export function catalogTagsOf(object: MlopsStoreObject): string[] {
  const tags = new Set<string>(['ml', object.kind]);
  if (object.orchestrator) {
    tags.add(object.orchestrator);
  }
  for (const key of Object.keys(object.tags)) {
    if (key.startsWith('mlflow.')) {
      continue;
    }
    const tag = key
      .toLocaleLowerCase('en-US')
      .replace(/[^a-z0-9:+#]+/g, '-')
      .replace(/^-+|-+$/g, '');
    if (tag.length > 0 && tag.length <= 63 && CATALOG_TAG.test(tag)) {
      tags.add(tag);
    }
  }
  return [...tags];
}

/**
 * The catalog entity for a store object: kind and type by the entity model,
 * the object annotation, owner, description, tags, lifecycle, links and the
 * `dependsOn` chain model → pipeline → experiment. A dependency points at the
 * entity a catalog-info.yaml declares for it when there is one, otherwise at
 * the entity this provider emits for it.
 */
export function objectToEntity(
  object: MlopsStoreObject,
  options: {
    /** Base URL of the MLOps backend, for the location annotations. */
    mlopsBaseUrl: string;
    defaultOwner: string;
    representativeOf: RepresentativeLookup;
  },
): Entity {
  const shape = ENTITY_SHAPE[object.kind];
  const location = `${MLOPS_LOCATION_TYPE}:${options.mlopsBaseUrl}/objects/${
    object.kind
  }/${encodeURIComponent(object.name)}`;
  const annotations: Record<string, string> = {
    [MLOPS_OBJECT_ANNOTATIONS[object.kind]]: object.name,
    [ANNOTATION_LOCATION]: location,
    [ANNOTATION_ORIGIN_LOCATION]: location,
  };
  if (object.links.servingUrl) {
    annotations[ANNOTATION_MLOPS_SERVING_URL] = object.links.servingUrl;
  }
  if (object.orchestrator) {
    annotations[ANNOTATION_MLOPS_ORCHESTRATOR] = object.orchestrator;
  }

  const links: EntityLink[] = [
    { url: object.links.mlopsPage, title: 'MLOps', icon: 'dashboard' },
  ];
  if (object.links.servingUrl) {
    links.push({ url: object.links.servingUrl, title: 'Serving endpoint' });
  }
  if (
    object.links.trackingUi &&
    object.links.trackingUi !== object.links.mlopsPage
  ) {
    links.push({ url: object.links.trackingUi, title: 'Tracking UI' });
  }

  const dependencyOf = (kind: MlopsObjectKind, name: string) =>
    options.representativeOf(kind, name) ?? providedEntityRef(kind, name);
  const dependsOn: string[] = [];
  if (object.kind === 'model' && object.pipelineName) {
    dependsOn.push(dependencyOf('pipeline', object.pipelineName));
  } else if (object.kind === 'model' && object.experimentName) {
    // A model without a known pipeline still depends on its experiment.
    dependsOn.push(dependencyOf('experiment', object.experimentName));
  }
  if (object.kind === 'pipeline' && object.experimentName) {
    dependsOn.push(dependencyOf('experiment', object.experimentName));
  }

  const name = entityNameFor(object.name);
  return {
    apiVersion: 'backstage.io/v1alpha1',
    kind: shape.kind,
    metadata: {
      name,
      namespace: 'default',
      ...(name !== object.name ? { title: object.name } : {}),
      ...(object.description ? { description: object.description } : {}),
      annotations,
      tags: catalogTagsOf(object),
      links,
    },
    spec: {
      type: shape.type,
      lifecycle: object.inProduction ? 'production' : 'experimental',
      owner: object.owner ?? options.defaultOwner,
      ...(dependsOn.length > 0 ? { dependsOn } : {}),
    },
  };
}
