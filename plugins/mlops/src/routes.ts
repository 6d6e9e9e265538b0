import { createRouteRef } from '@backstage/core-plugin-api';

/**
 * The MLOps page (`/mlops`): the fleet view and the triage guide.
 *
 * @public
 */
export const mlopsRootRouteRef = createRouteRef({ id: 'mlops' });
