import {
  CompoundEntityRef,
  Entity,
  getCompoundEntityRef,
} from '@backstage/catalog-model';
import { useApi } from '@backstage/core-plugin-api';
import { useEntity } from '@backstage/plugin-catalog-react';
import { DependencyList } from 'react';
import useAsyncRetry from 'react-use/esm/useAsyncRetry';
import { MlopsApi, mlopsApiRef } from '../api';

/**
 * Loads what an entity card shows about the entity in context, and nothing
 * for an entity without the annotation the card needs, so that the card can
 * tell the reader which annotation is missing instead of asking the backend.
 *
 * `deps` are what `load` reads besides the API and the entity (a card's own
 * filters, for example); the entity is compared by its reference, not by
 * object identity, so a refetched but unchanged entity does not load again.
 */
export function useEntityMlopsData<T>(
  isAnnotated: (entity: Entity) => boolean,
  load: (api: MlopsApi, entityRef: CompoundEntityRef) => Promise<T>,
  deps: DependencyList = [],
) {
  const { entity } = useEntity();
  const mlopsApi = useApi(mlopsApiRef);
  const annotated = isAnnotated(entity);
  const entityRef = getCompoundEntityRef(entity);

  const state = useAsyncRetry(async () => {
    if (!annotated) {
      return undefined;
    }
    return load(mlopsApi, entityRef);
  }, [
    mlopsApi,
    annotated,
    entityRef.kind,
    entityRef.namespace,
    entityRef.name,
    ...deps,
  ]);

  return { annotated, ...state };
}
