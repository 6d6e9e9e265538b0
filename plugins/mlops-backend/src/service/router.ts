import { HttpAuthService, LoggerService } from '@backstage/backend-plugin-api';
import express from 'express';
import Router from 'express-promise-router';
import { Knex } from 'knex';
import { EntityResolver } from '../shared/EntityResolver';
import { HealthService } from '../health/HealthService';
import { CatalogService } from '@backstage/plugin-catalog-node';
import { createTriageRouter } from '../triage/router';
import { TriageSignalSource } from '../triage/TriageService';
import { createFleetRouter } from '../fleet/router';
import { FleetSources } from '../fleet/FleetService';
import { RegistryWiring, createRegistryRouter } from '../registry/router';
import { TrackingStore, createTrackingRouter } from '../tracking';
import { createMlflowRouter } from '../mlflow/router';
import { ObjectChangeNotifier } from '../shared/ObjectChangeNotifier';
import { MonitoringWiring, createMonitoringRouter } from '../monitoring/router';
import { entityRefParams, parseInput } from '../shared/validation';
import { MlopsObjectReadAccess } from '../permissions/MlopsObjectReadAccess';

/** What the MLOps router needs from the plugin's wiring. */
export interface RouterOptions {
  logger: LoggerService;
  httpAuth: HttpAuthService;
  db: Knex;
  entities: EntityResolver;
  health: HealthService;
  catalog: CatalogService;
  /** Open incidents and failure reasons for triage (incidents capability). */
  triageSignals?: TriageSignalSource;
  /** Registry, drift and incident sources of the fleet view. */
  fleetSources?: FleetSources;
  /** The model registry's store and sources. */
  registry?: RegistryWiring;
  /** Experiments, runs, params, metrics and tags (tracking capability). */
  tracking?: TrackingStore;
  /** Announces created and deleted models and experiments to the catalog. */
  objectChanges?: ObjectChangeNotifier;
  /** Prediction ingest and entity metrics (monitoring capability). */
  monitoring?: MonitoringWiring;
  /** Narrows the lists to the objects a caller may read. */
  readAccess: MlopsObjectReadAccess;
}

/** Largest JSON body any route accepts (MLflow's batch limit). */
export const MAX_BODY_BYTES = 1024 * 1024;

/** Builds the `/api/mlops` router. */
export async function createRouter(
  options: RouterOptions,
): Promise<express.Router> {
  const { logger, httpAuth, db, entities, health } = options;
  const router = Router();
  router.use(createTrackingRouter(options)); // before the parser: it parses its own bodies
  if (options.tracking) {
    // MLflow's REST API over the same store; it parses its own bodies so
    // that malformed JSON is answered in MLflow's error shape.
    router.use(
      createMlflowRouter({
        logger,
        httpAuth,
        tracking: options.tracking,
        registry: options.registry,
        catalog: options.catalog,
        objectChanges: options.objectChanges,
        readAccess: options.readAccess,
      }),
    );
  }
  router.use(express.json({ limit: MAX_BODY_BYTES }));

  // The only unauthenticated route: load balancers and uptime checks call it.
  router.get('/health', async (_req, res) => {
    try {
      await db.raw('select 1');
      res.json({ status: 'ok', database: 'reachable' });
    } catch (error) {
      logger.warn(`MLOps database is unreachable: ${error}`);
      res.status(503).json({ status: 'error', database: 'unreachable' });
    }
  });

  router.get('/entities/:kind/:namespace/:name/summary', async (req, res) => {
    const ref = parseInput(entityRefParams, req.params, 'entity reference');
    const credentials = await httpAuth.credentials(req);
    const resolved = await entities.resolve(ref, credentials);
    res.json(await health.summarize(resolved));
  });

  router.use(createTriageRouter(options));
  router.use(createFleetRouter(options));
  router.use(createRegistryRouter(options));
  router.use(createMonitoringRouter(options));

  return router;
}
