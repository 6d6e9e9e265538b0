import { HttpAuthService, LoggerService } from '@backstage/backend-plugin-api';
import express from 'express';
import Router from 'express-promise-router';
import { EntityResolver } from '../shared/EntityResolver';
import { entityRefParams, parseInput } from '../shared/validation';
import { HealthService } from './HealthService';

/** The plugin's liveness route and the entity health summary. */
export function createHealthRouter(options: {
  /** Asks the database a trivial question; throws when it cannot answer. */
  pingDatabase: () => Promise<void>;
  logger: LoggerService;
  httpAuth: HttpAuthService;
  entities: EntityResolver;
  health: HealthService;
}): express.Router {
  const { pingDatabase, logger, httpAuth, entities, health } = options;
  const router = Router();

  // The only unauthenticated route: load balancers and uptime checks call it.
  router.get('/health', async (_req, res) => {
    try {
      await pingDatabase();
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

  return router;
}
