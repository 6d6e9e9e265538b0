import { HttpAuthService } from '@backstage/backend-plugin-api';
import { InputError, NotFoundError } from '@backstage/errors';
import { mlopsNameProblem } from '@backstage-mlops/plugin-mlops-common';
import express from 'express';
import Router from 'express-promise-router';
import { EntityResolver } from '../shared/EntityResolver';
import { jsonBody } from '../shared/bodies';
import { entityRefParams, parseInput } from '../shared/validation';
import { MonitoringService } from './MonitoringService';
import { MonitoringStore } from './MonitoringStore';
import { metricsQuerySchema, parsePredictionBatch } from './validation';
import { HealthChangeSignal } from '../shared/HealthChangeSignal';

/** The monitoring store and service, as the plugin wires them. */
export interface MonitoringWiring {
  store: MonitoringStore;
  service: MonitoringService;
  /** Asks for the model's health to be judged again after a batch lands. */
  healthChanges?: HealthChangeSignal;
}

/** What the monitoring routes need. */
export interface MonitoringRouterOptions {
  httpAuth: HttpAuthService;
  entities: EntityResolver;
  /** Without it the routes are not mounted. */
  monitoring?: MonitoringWiring;
}

// Registered models are few and never renamed in place; remembering the ones
// already seen saves a lookup per batch. Bounded like every other cache.
const KNOWN_MODELS_LIMIT = 10_000;

/**
 * Routes of prediction monitoring: batch ingest for serving systems and the
 * entity metrics the card reads.
 */
export function createMonitoringRouter(
  options: MonitoringRouterOptions,
): express.Router {
  const { httpAuth, entities, monitoring } = options;
  const router = Router();
  if (!monitoring) {
    return router;
  }
  const { store, service } = monitoring;
  const knownModels = new Set<string>();

  async function assertModelExists(name: string) {
    if (knownModels.has(name)) {
      return;
    }
    if (!(await store.isRegisteredModel(name))) {
      throw new NotFoundError(`No registered model named '${name}'`);
    }
    if (knownModels.size >= KNOWN_MODELS_LIMIT) {
      knownModels.clear();
    }
    knownModels.add(name);
  }

  router.post('/models/:name/predictions', jsonBody(), async (req, res) => {
    await httpAuth.credentials(req, { allow: ['user', 'service'] });
    const name = req.params.name;
    const problem = mlopsNameProblem(name);
    if (problem) {
      throw new InputError(`Invalid model name: ${problem}`);
    }
    // Validate everything before touching the store: a batch is recorded
    // whole or not at all.
    const events = parsePredictionBatch(req.body);
    await assertModelExists(name);
    const result = await store.ingest(name, events);
    monitoring.healthChanges?.changed('model', name);
    res.json(result);
  });

  router.get('/entities/:kind/:namespace/:name/metrics', async (req, res) => {
    const ref = parseInput(entityRefParams, req.params, 'entity reference');
    const query = parseInput(metricsQuerySchema, req.query, 'metrics query');
    const credentials = await httpAuth.credentials(req);
    const resolved = await entities.resolve(ref, credentials);
    res.json(
      await service.entityMetrics(resolved, {
        window: query.window,
        environment: query.environment,
      }),
    );
  });

  return router;
}
