import { HttpAuthService, LoggerService } from '@backstage/backend-plugin-api';
import { CatalogService } from '@backstage/plugin-catalog-node';
import {
  FLEET_MAX_PAGE_SIZE,
  FLEET_SORT_KEYS,
  HealthStatus,
} from '@backstage-mlops/plugin-mlops-common';
import express from 'express';
import Router from 'express-promise-router';
import { z } from 'zod';
import { parseInput } from '../shared/validation';
import {
  FleetHealthSource,
  FleetModelSource,
  FleetService,
  FleetSources,
} from './FleetService';
import { MlopsObjectReadAccess } from '../permissions/MlopsObjectReadAccess';

/** What the fleet route needs; the main router's options satisfy it. */
export interface FleetRouterOptions {
  logger: LoggerService;
  httpAuth: HttpAuthService;
  /** The registry store: the models the fleet lists. */
  models: FleetModelSource;
  catalog: CatalogService;
  health: FleetHealthSource;
  /** Registry, drift and incident sources, as far as they are installed. */
  fleetSources?: FleetSources;
  readAccess: MlopsObjectReadAccess;
}

const HEALTH_STATUSES: [HealthStatus, ...HealthStatus[]] = [
  'unhealthy',
  'degraded',
  'healthy',
  'unknown',
];

const fleetQuery = z.object({
  owner: z.string().min(1).max(300).optional(),
  // `?status=degraded,unhealthy` or `?status=degraded&status=unhealthy`.
  status: z
    .union([z.string(), z.array(z.string())])
    .transform(value =>
      (Array.isArray(value) ? value : [value])
        .flatMap(v => v.split(','))
        .map(v => v.trim())
        .filter(v => v !== ''),
    )
    .pipe(z.array(z.enum(HEALTH_STATUSES)).max(4))
    .optional(),
  sort: z.enum(FLEET_SORT_KEYS).optional(),
  order: z.enum(['asc', 'desc']).optional(),
  offset: z.coerce.number().int().min(0).optional(),
  limit: z.coerce.number().int().min(1).max(FLEET_MAX_PAGE_SIZE).optional(),
});

/**
 * The fleet route: the registered models with their operational state, one
 * page at a time (`?offset=&limit=`), sorted on the server (`?sort=&order=`).
 */
export function createFleetRouter(options: FleetRouterOptions): express.Router {
  const { httpAuth } = options;
  const fleet = new FleetService({
    models: options.models,
    catalog: options.catalog,
    health: options.health,
    logger: options.logger,
    sources: options.fleetSources,
  });
  const router = Router();

  router.get('/fleet', async (req, res) => {
    const query = parseInput(fleetQuery, req.query, 'fleet query');
    const credentials = await httpAuth.credentials(req);
    const scope = await options.readAccess.scopeFor(credentials);
    res.json(await fleet.list(query, credentials, scope));
  });

  return router;
}
