import { parseEntityRef } from '@backstage/catalog-model';
import {
  createConditionExports,
  createPermissionResourceRef,
  makeCreatePermissionRule,
} from '@backstage/plugin-permission-node';
import {
  MlopsObjectKind,
  RESOURCE_TYPE_MLOPS_OBJECT,
} from '@backstage-mlops/plugin-mlops-common';
import { z } from 'zod';

/**
 * A model, experiment or pipeline as the permission rules see it.
 *
 * @public
 */
export interface MlopsObjectResource {
  kind: MlopsObjectKind;
  name: string;
  /** The owner the MLOps store records, as it was written. */
  owner?: string;
}

/**
 * One rule translated for a database query: the object's kind is one of
 * `values`, or its recorded owner, compared lower-cased, is one of `values`.
 *
 * @public
 */
export type MlopsObjectFilter =
  | { property: 'kind'; values: MlopsObjectKind[] }
  | { property: 'owner'; values: string[] };

/**
 * The `mlops-object` resource type of the MLOps backend.
 *
 * @public
 */
export const mlopsObjectPermissionResourceRef = createPermissionResourceRef<
  MlopsObjectResource,
  MlopsObjectFilter
>().with({ pluginId: 'mlops', resourceType: RESOURCE_TYPE_MLOPS_OBJECT });

function parseOwner(ref: string) {
  try {
    const { kind, namespace, name } = parseEntityRef(ref.trim(), {
      defaultKind: 'group',
      defaultNamespace: 'default',
    });
    return {
      kind: kind.toLocaleLowerCase('en-US'),
      namespace: namespace.toLocaleLowerCase('en-US'),
      name: name.toLocaleLowerCase('en-US'),
    };
  } catch {
    return undefined;
  }
}

/**
 * An owner as a full, lower-cased entity reference: a bare name is a group
 * in the default namespace, the way the catalog reads `spec.owner`.
 *
 * @public
 */
export function normalizeOwnerRef(ref: string): string {
  const owner = parseOwner(ref);
  return owner
    ? `${owner.kind}:${owner.namespace}/${owner.name}`
    : ref.trim().toLocaleLowerCase('en-US');
}

/**
 * Every way an owner can be written that {@link normalizeOwnerRef} reads as
 * `ref` (`group:default/ml`, `group:ml`, `default/ml`, `ml`), lower-cased,
 * so a query can compare the stored text without parsing it.
 *
 * @public
 */
export function ownerRefSpellings(ref: string): string[] {
  const owner = parseOwner(ref);
  if (!owner) {
    return [ref.trim().toLocaleLowerCase('en-US')];
  }
  const { kind, namespace, name } = owner;
  const spellings = [`${kind}:${namespace}/${name}`];
  if (namespace === 'default') {
    spellings.push(`${kind}:${name}`);
  }
  if (kind === 'group') {
    spellings.push(`${namespace}/${name}`);
    if (namespace === 'default') {
      spellings.push(name);
    }
  }
  return spellings;
}

const createMlopsObjectRule = makeCreatePermissionRule<
  MlopsObjectResource,
  MlopsObjectFilter,
  typeof RESOURCE_TYPE_MLOPS_OBJECT
>();

const isMlopsObjectOwner = createMlopsObjectRule({
  name: 'IS_MLOPS_OBJECT_OWNER',
  description:
    'Allow models, experiments and pipelines whose recorded owner is one of the claims',
  resourceType: RESOURCE_TYPE_MLOPS_OBJECT,
  paramsSchema: z.object({
    claims: z
      .array(z.string())
      .describe('Entity references, such as the user and their groups'),
  }),
  apply: (resource, { claims }) =>
    !!resource.owner &&
    claims.map(normalizeOwnerRef).includes(normalizeOwnerRef(resource.owner)),
  toQuery: ({ claims }) => ({
    property: 'owner',
    values: Array.from(new Set(claims.flatMap(ownerRefSpellings))),
  }),
});

const isMlopsObjectKind = createMlopsObjectRule({
  name: 'IS_MLOPS_OBJECT_KIND',
  description: 'Allow objects of the given kinds (model, experiment, pipeline)',
  resourceType: RESOURCE_TYPE_MLOPS_OBJECT,
  paramsSchema: z.object({
    kinds: z
      .array(z.enum(['model', 'experiment', 'pipeline']))
      .describe('Kinds of MLOps object to allow'),
  }),
  apply: (resource, { kinds }) => kinds.includes(resource.kind),
  toQuery: ({ kinds }) => ({ property: 'kind', values: kinds }),
});

/**
 * The rules a policy can use in conditional decisions on
 * `mlops.object.read`.
 *
 * @public
 */
export const mlopsObjectPermissionRules = {
  isMlopsObjectOwner,
  isMlopsObjectKind,
};

const conditionExports = createConditionExports({
  resourceRef: mlopsObjectPermissionResourceRef,
  rules: mlopsObjectPermissionRules,
});

/**
 * Condition factories for policies, e.g.
 * `mlopsObjectConditions.isMlopsObjectOwner({ claims })`.
 *
 * @public
 */
export const mlopsObjectConditions = conditionExports.conditions;

/**
 * Wraps conditions into the decision a policy returns for
 * `mlops.object.read`.
 *
 * @public
 */
export const createMlopsObjectConditionalDecision =
  conditionExports.createConditionalDecision;
