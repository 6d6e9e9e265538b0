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
import { ANNOTATION_MLOPS_MODEL } from '@backstage-mlops/plugin-mlops-common';
import { mlopsLinksOf } from '../entities/EntityResolver';

/**
 * Decides a change to a model that moves production (a stage transition, a
 * rollback, retention, a deployment) on the catalog entities that link to
 * the model, so a policy can let the entity's owners act: the permission is
 * a resource permission on `catalog-entity`, and the catalog evaluates
 * conditions such as "is owner of the entity" against the entity it holds.
 * The change is allowed when any linked entity allows it.
 *
 * Service principals (training jobs and CD systems with external access
 * tokens) may act on models that no entity claims yet; for them the
 * permissions service decides from the token's access restrictions.
 */
export class ModelChangeAuthorizer {
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
    const key = `metadata.annotations.${ANNOTATION_MLOPS_MODEL}`;
    let { items } = await this.catalog.getEntities(
      {
        filter: { [key]: model },
        fields: ['kind', 'metadata.namespace', 'metadata.name'],
      },
      { credentials },
    );
    if (items.length === 0) {
      // An annotation may list several models ("a, b"), which an exact
      // filter cannot match.
      const annotated = await this.catalog.getEntities(
        { filter: { [key]: CATALOG_FILTER_EXISTS } },
        { credentials },
      );
      items = annotated.items.filter(entity =>
        mlopsLinksOf(entity).some(l => l.kind === 'model' && l.name === model),
      );
    }
    if (items.length === 0) {
      if ((credentials.principal as { type?: string }).type === 'service') {
        return;
      }
      throw new NotAllowedError(
        `No catalog entity you can see links to model ${model}, so you may not ${action} it`,
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
      throw new NotAllowedError(
        `You are not allowed to ${action} model ${model}`,
      );
    }
  }
}
