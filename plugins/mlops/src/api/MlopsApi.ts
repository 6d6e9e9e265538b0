import { CompoundEntityRef } from '@backstage/catalog-model';
import { createApiRef } from '@backstage/core-plugin-api';
import { EntityHealthSummary } from '@backstage-mlops/plugin-mlops-common';

/**
 * The MLOps backend as the frontend sees it.
 *
 * @public
 */
export interface MlopsApi {
  /** Health of an entity and the MLOps objects its annotations link to. */
  getEntitySummary(entity: CompoundEntityRef): Promise<EntityHealthSummary>;
}

/**
 * Reference to the {@link MlopsApi}.
 *
 * @public
 */
export const mlopsApiRef = createApiRef<MlopsApi>({
  id: 'plugin.mlops.service',
});
