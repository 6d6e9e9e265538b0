import { Entity } from '@backstage/catalog-model';
import {
  ANNOTATION_MLOPS_MLFLOW_URL,
  ANNOTATION_MLOPS_ORCHESTRATOR,
  ANNOTATION_MLOPS_SERVING_URL,
  TriagePlaceholder,
} from '@backstage-mlops/plugin-mlops-common';
import { MlopsObjectLink } from '../shared/EntityResolver';

/** The Kubernetes plugin's annotations, read for namespace and pod selection. */
export const ANNOTATION_KUBERNETES_NAMESPACE =
  'backstage.io/kubernetes-namespace';
export const ANNOTATION_KUBERNETES_LABEL_SELECTOR =
  'backstage.io/kubernetes-label-selector';
export const ANNOTATION_KUBERNETES_ID = 'backstage.io/kubernetes-id';

/**
 * Optional annotation naming the deployment environment an entity's commands
 * should target (e.g. `production`). A `?environment=` query parameter wins.
 */
export const ANNOTATION_MLOPS_ENVIRONMENT = 'backstage-mlops.dev/environment';

/** Placeholder values for an entity; absent keys stay visible placeholders. */
export type TriageContext = Partial<Record<TriagePlaceholder, string>>;

/** What the objects store knows about the objects an entity links to. */
export interface TriageObjectFacts {
  /** Model name → the pipeline that trains it and the experiment it logs to. */
  models: Map<string, { pipeline?: string; experiment?: string }>;
  /** Pipeline name → its orchestrator. */
  pipelines: Map<string, { orchestrator?: string; experiment?: string }>;
}

/**
 * Where those facts come from: the objects store's `lineageOf`, which reads
 * them in two small queries.
 */
export interface TriageObjectFactsSource {
  lineageOf(links: MlopsObjectLink[]): Promise<TriageObjectFacts>;
}

function only(values: Array<string | undefined>): string | undefined {
  const distinct = Array.from(
    new Set(values.filter((v): v is string => !!v && v.trim() !== '')),
  );
  // With two candidates either one could be wrong: leave the placeholder.
  return distinct.length === 1 ? distinct[0] : undefined;
}

function trimUrl(value: string | undefined): string | undefined {
  const trimmed = value?.trim();
  return trimmed ? trimmed.replace(/\/+$/, '') : undefined;
}

/**
 * Builds the values that fill triage command placeholders from an entity's
 * annotations and what the store knows about its linked objects.
 *
 * Only values the entity or the store states are used. When an entity links
 * to two models, say, the `model` placeholder stays open: picking one would
 * put a wrong name into a command someone is about to run.
 */
export function buildTriageContext(
  entity: Entity,
  links: MlopsObjectLink[],
  facts: TriageObjectFacts,
  options: { environment?: string } = {},
): TriageContext {
  const annotations = entity.metadata.annotations ?? {};
  const names = (kind: MlopsObjectLink['kind']) =>
    links.filter(l => l.kind === kind).map(l => l.name);

  const models = names('model');
  const model = only(models);
  const pipeline = only(
    names('pipeline').length > 0
      ? names('pipeline')
      : models.map(m => facts.models.get(m)?.pipeline),
  );
  const experiment = only(
    names('experiment').length > 0
      ? names('experiment')
      : [
          ...models.map(m => facts.models.get(m)?.experiment),
          ...names('pipeline').map(p => facts.pipelines.get(p)?.experiment),
        ],
  );
  const orchestrator =
    annotations[ANNOTATION_MLOPS_ORCHESTRATOR]?.trim() ||
    (pipeline ? facts.pipelines.get(pipeline)?.orchestrator : undefined);

  const kubernetesId = annotations[ANNOTATION_KUBERNETES_ID]?.trim();
  // The Kubernetes plugin selects a kubernetes-id entity's pods by this label.
  const labelSelector =
    annotations[ANNOTATION_KUBERNETES_LABEL_SELECTOR]?.trim() ||
    (kubernetesId ? `${ANNOTATION_KUBERNETES_ID}=${kubernetesId}` : undefined);

  const context: TriageContext = {
    namespace: annotations[ANNOTATION_KUBERNETES_NAMESPACE]?.trim(),
    labelSelector,
    servingUrl: trimUrl(annotations[ANNOTATION_MLOPS_SERVING_URL]),
    trackingUrl: trimUrl(annotations[ANNOTATION_MLOPS_MLFLOW_URL]),
    orchestrator,
    pipeline,
    model,
    experiment,
    environment:
      options.environment ?? annotations[ANNOTATION_MLOPS_ENVIRONMENT]?.trim(),
  };
  for (const key of Object.keys(context) as TriagePlaceholder[]) {
    if (!context[key]) {
      delete context[key];
    }
  }
  return context;
}
