import {
  BackstageCredentials,
  PermissionsService,
} from '@backstage/backend-plugin-api';
import { CATALOG_FILTER_EXISTS } from '@backstage/catalog-client';
import { stringifyEntityRef } from '@backstage/catalog-model';
import { NotAllowedError } from '@backstage/errors';
import { CatalogService } from '@backstage/plugin-catalog-node';
import {
  AuthorizeResult,
  ResourcePermission,
} from '@backstage/plugin-permission-common';
import { Entity } from '@backstage/catalog-model';
import {
  MLOPS_OBJECT_LINK_ANNOTATIONS,
  MlopsObjectKind,
} from '@backstage-mlops/plugin-mlops-common';
import { mlopsLinksOf } from '../shared/EntityResolver';

/**
 * Decides a change that moves production (a stage transition, a rollback,
 * retention, a deployment, an incident's state) on the catalog entities that
 * link to the model or pipeline, so a policy can let the entity's owners act: the permission is
 * a resource permission on `catalog-entity`, and the catalog evaluates
 * conditions such as "is owner of the entity" against the entity it holds.
 * The change is allowed when any linked entity allows it.
 *
 * Service principals (training jobs and CD systems with external access
 * tokens) may act on objects that no entity claims yet; for them the
 * permissions service decides from the token's access restrictions.
 */
export class MlopsChangeAuthorizer {
  constructor(
    private readonly catalog: CatalogService,
    private readonly permissions: PermissionsService,
  ) {}

  /**
   * Throws NotAllowedError unless `credentials` may apply `permission` to
   * `model`; `action` words the refusal ("deploy", "roll back"…).
   */
  async authorize(
    model: string,
    permission: ResourcePermission,
    credentials: BackstageCredentials,
    action: string,
  ): Promise<void> {
    await this.authorizeObject(
      { kind: 'model', name: model },
      permission,
      credentials,
      action,
    );
  }

  /** {@link MlopsChangeAuthorizer.authorize} for any store object. */
  async authorizeObject(
    object: { kind: MlopsObjectKind; name: string },
    permission: ResourcePermission,
    credentials: BackstageCredentials,
    action: string,
  ): Promise<void> {
    const what = `${object.kind} ${object.name}`;
    const items = await this.linkedEntities(object, credentials);
    if (items.length === 0) {
      if ((credentials.principal as { type?: string }).type === 'service') {
        return;
      }
      throw new NotAllowedError(
        `No catalog entity you can see links to ${what}, so you may not ${action} it`,
      );
    }
    const decisions = await this.permissions.authorize(
      items.map(entity => ({
        permission,
        resourceRef: stringifyEntityRef(entity),
      })),
      { credentials },
    );
    if (!decisions.some(d => d.result === AuthorizeResult.ALLOW)) {
      throw new NotAllowedError(`You are not allowed to ${action} ${what}`);
    }
  }

  /**
   * The catalog entities that link to a store object through their
   * annotation, as the caller may see them (the catalog applies its own read
   * permissions to the query).
   */
  async linkedEntities(
    object: { kind: MlopsObjectKind; name: string },
    credentials: BackstageCredentials,
  ): Promise<Entity[]> {
    // The portal's annotation and a source's (mlflow.org/registered-model)
    // both link an entity; a list of filters matches either.
    const keys = MLOPS_OBJECT_LINK_ANNOTATIONS[object.kind].map(
      annotation => `metadata.annotations.${annotation}`,
    );
    const { items } = await this.catalog.getEntities(
      {
        filter: keys.map(key => ({ [key]: object.name })),
        fields: ['kind', 'metadata.namespace', 'metadata.name'],
      },
      { credentials },
    );
    if (items.length > 0) {
      return items;
    }
    // An annotation may list several objects ("a, b"), which an exact
    // filter cannot match.
    const annotated = await this.catalog.getEntities(
      { filter: keys.map(key => ({ [key]: CATALOG_FILTER_EXISTS })) },
      { credentials },
    );
    return annotated.items.filter(entity =>
      mlopsLinksOf(entity).some(
        l => l.kind === object.kind && l.name === object.name,
      ),
    );
  }
}
