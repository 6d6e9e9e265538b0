import { useRouteRef } from '@backstage/core-plugin-api';
import { mlopsRootRouteRef } from '../../routes';

/**
 * Links into the triage guide of the MLOps page, or `undefined` for every
 * link when the app has not mounted the page (a card must still render).
 */
export function useMlopsGuideLink(): (entryId?: string) => string | undefined {
  let root: (() => string) | undefined;
  try {
    // useRouteRef runs all of its own hooks before it throws for an unmounted
    // route, so catching the error keeps the hook order stable.
    // eslint-disable-next-line react-hooks/rules-of-hooks
    root = useRouteRef(mlopsRootRouteRef);
  } catch {
    root = undefined;
  }
  return (entryId?: string) => {
    if (!root) {
      return undefined;
    }
    const params = new URLSearchParams({ tab: 'guide' });
    if (entryId) {
      params.set('entry', entryId);
    }
    return `${root()}?${params.toString()}`;
  };
}
