import {
  AuthService,
  HttpAuthService,
  LoggerService,
} from '@backstage/backend-plugin-api';
import { Config } from '@backstage/config';
import type {
  MlopsSource,
  MlopsSourcesExtensionPoint,
} from '@backstage-mlops/plugin-mlops-node';
import type { CatalogService } from '@backstage/plugin-catalog-node';
import { Knex } from 'knex';
import type { PipelineStore } from '../pipelines';
import type { RegistryStore } from '../registry';
import type { TrackingStore } from '../tracking';
import type { ObjectChangeNotifier } from '../shared/ObjectChangeNotifier';
import { createSourcesRouter } from './router';
import { SourceService } from './SourceService';
import { SourceStateStore } from './SourceStateStore';
import type { SourceHttpSettings } from './SourceHttpClient';

export {
  OPEN_RUN_HISTORY_REFRESH_MS,
  SourceService,
  syncTaskId,
} from './SourceService';
export type { SourceInstanceStatus } from './SourceService';
export { OBSERVED_ACTOR } from './sinks';
export { sourceLinks } from './links';

/**
 * Collects the sources that backend modules add through
 * `mlopsSourcesExtensionPoint`.
 */
export class SourceCollector implements MlopsSourcesExtensionPoint {
  private readonly byType = new Map<string, MlopsSource>();

  addSource(...sources: MlopsSource[]): void {
    for (const source of sources) {
      if (this.byType.has(source.type)) {
        throw new Error(
          `Two MLOps sources of type "${source.type}" were installed`,
        );
      }
      this.byType.set(source.type, source);
    }
  }

  get sources(): MlopsSource[] {
    return [...this.byType.values()];
  }
}

/**
 * The sources capability: the configured instances of every installed
 * source module, their scheduled syncs (one task per instance, `scope:
 * 'global'`), their status in `GET /sources`, and their webhooks.
 */
export async function createSources(options: {
  config: Config;
  logger: LoggerService;
  httpAuth: HttpAuthService;
  db: Knex;
  sources: MlopsSource[];
  tracking: TrackingStore;
  registry: RegistryStore;
  pipelines: PipelineStore;
  catalog?: CatalogService;
  auth?: AuthService;
  /** Announces newly mirrored objects, so the catalog shows them promptly. */
  objectChanges?: ObjectChangeNotifier;
  /** Tests shorten timeouts and backoff. */
  httpSettings?: Partial<SourceHttpSettings>;
}) {
  const state = new SourceStateStore(options.db);
  const service = await SourceService.create({
    config: options.config,
    logger: options.logger,
    sources: options.sources,
    state,
    stores: {
      db: options.db,
      state,
      tracking: options.tracking,
      registry: options.registry,
      pipelines: options.pipelines,
    },
    catalog: options.catalog,
    auth: options.auth,
    httpSettings: options.httpSettings,
    objectChanges: options.objectChanges,
  });
  return {
    service,
    router: createSourcesRouter({
      httpAuth: options.httpAuth,
      sources: service,
    }),
    scheduledTasks: service.scheduledTasks(),
    // Source modules check webhook senders themselves (signatures).
    authPolicies: [
      {
        path: '/sources/:type/:name/webhook',
        allow: 'unauthenticated' as const,
      },
    ],
  };
}
