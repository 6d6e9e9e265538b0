import { HttpAuthService, LoggerService } from '@backstage/backend-plugin-api';
import { Knex } from 'knex';
import type { IncidentStore } from '../incidents';
import type { MlopsObjectStore } from '../objects';
import { pingDatabase } from '../database/ping';
import { EntityResolver } from '../shared/EntityResolver';
import { HealthService } from './HealthService';
import { createHealthRouter } from './router';

export { HealthService, healthStatusOf } from './HealthService';
export { createHealthRouter } from './router';

/**
 * Health: the plugin's unauthenticated liveness route, and each entity's
 * health summary from its objects and their latest checks. Its service
 * judges health for triage and the fleet view.
 */
export function createHealth(options: {
  db: Knex;
  logger: LoggerService;
  httpAuth: HttpAuthService;
  entities: EntityResolver;
  objects: MlopsObjectStore;
  incidents?: IncidentStore;
}) {
  const health = new HealthService(options.objects, options.incidents);
  return {
    service: health,
    router: createHealthRouter({
      ...options,
      pingDatabase: () => pingDatabase(options.db),
      health,
    }),
    // Liveness probes carry no credentials.
    authPolicies: [{ path: '/health', allow: 'unauthenticated' as const }],
  };
}
