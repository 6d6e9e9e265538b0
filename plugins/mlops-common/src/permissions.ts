import { RESOURCE_TYPE_CATALOG_ENTITY } from '@backstage/plugin-catalog-common/alpha';
import { createPermission } from '@backstage/plugin-permission-common';

/*
 * Reading MLOps data stays open to every signed-in user. The writes below
 * change what runs in production, so each one is a resource permission on the
 * catalog entity the change is about: a policy can then decide with the
 * catalog's own rules, such as "is owner of the entity", and the catalog
 * evaluates conditional decisions against the entity it holds.
 */

/**
 * Moving a model version between stages or aliases (None, Staging,
 * Production, Archived; champion, challenger…).
 *
 * @public
 */
export const mlopsModelStageTransitionPermission = createPermission({
  name: 'mlops.model.stage.transition',
  attributes: { action: 'update' },
  resourceType: RESOURCE_TYPE_CATALOG_ENTITY,
});

/**
 * Rolling a model back to the version that was in Production before.
 *
 * @public
 */
export const mlopsModelRollbackPermission = createPermission({
  name: 'mlops.model.rollback',
  attributes: { action: 'update' },
  resourceType: RESOURCE_TYPE_CATALOG_ENTITY,
});

/**
 * Deleting old model versions through a retention run.
 *
 * @public
 */
export const mlopsModelRetentionPermission = createPermission({
  name: 'mlops.model.retention',
  attributes: { action: 'delete' },
  resourceType: RESOURCE_TYPE_CATALOG_ENTITY,
});

/**
 * Deploying a model version to an environment.
 *
 * @public
 */
export const mlopsDeploymentCreatePermission = createPermission({
  name: 'mlops.deployment.create',
  attributes: { action: 'create' },
  resourceType: RESOURCE_TYPE_CATALOG_ENTITY,
});

/**
 * Re-deploying the last good version of a model in an environment.
 *
 * @public
 */
export const mlopsDeploymentRollbackPermission = createPermission({
  name: 'mlops.deployment.rollback',
  attributes: { action: 'update' },
  resourceType: RESOURCE_TYPE_CATALOG_ENTITY,
});

/**
 * Acknowledging or resolving an incident.
 *
 * @public
 */
export const mlopsIncidentUpdatePermission = createPermission({
  name: 'mlops.incident.update',
  attributes: { action: 'update' },
  resourceType: RESOURCE_TYPE_CATALOG_ENTITY,
});

/**
 * The resource type of the models, experiments and pipelines that the MLOps
 * backend stores. Conditions on it are evaluated by the MLOps backend, which
 * translates them into its own database queries.
 *
 * @public
 */
export const RESOURCE_TYPE_MLOPS_OBJECT = 'mlops-object';

/**
 * Reading a model, experiment or pipeline and what hangs off it (versions,
 * runs) through the MLOps lists. The demo policy allows it to everyone signed
 * in; a policy that returns a conditional decision (for example "owned by one
 * of the user's groups") narrows the lists in their database query, so
 * paging and counts stay right.
 *
 * Entity pages are not decided here: what an entity's cards show follows the
 * catalog's own read permission on that entity.
 *
 * @public
 */
export const mlopsObjectReadPermission = createPermission({
  name: 'mlops.object.read',
  attributes: { action: 'read' },
  resourceType: RESOURCE_TYPE_MLOPS_OBJECT,
});

/**
 * Every permission of the MLOps plugins, for registration with the
 * permissions registry and for policies that treat them alike.
 *
 * @public
 */
export const mlopsPermissions = [
  mlopsModelStageTransitionPermission,
  mlopsModelRollbackPermission,
  mlopsModelRetentionPermission,
  mlopsDeploymentCreatePermission,
  mlopsDeploymentRollbackPermission,
  mlopsIncidentUpdatePermission,
  mlopsObjectReadPermission,
];
