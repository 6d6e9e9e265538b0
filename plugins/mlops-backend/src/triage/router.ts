import { HttpAuthService, LoggerService } from '@backstage/backend-plugin-api';
import { NotFoundError } from '@backstage/errors';
import {
  TRIAGE_CATEGORIES,
  TriageEntryList,
  getTriageEntry,
  mlopsNameProblem,
  searchTriageEntries,
} from '@backstage-mlops/plugin-mlops-common';
import express from 'express';
import Router from 'express-promise-router';
import { z } from 'zod';
import { EntityResolver } from '../shared/EntityResolver';
import { entityRefParams, parseInput } from '../shared/validation';
import {
  HealthSummarizer,
  TRIAGE_MAX_LIMIT,
  TriageService,
  TriageSignalSource,
} from './TriageService';
import { TriageObjectFactsSource } from './context';

/** What the triage routes need; the main router's options satisfy it. */
export interface TriageRouterOptions {
  logger: LoggerService;
  httpAuth: HttpAuthService;
  entities: EntityResolver;
  /** The objects store: the pipeline, experiment and orchestrator behind a link. */
  objectFacts: TriageObjectFactsSource;
  health: HealthSummarizer;
  /** Open incidents and failure reasons; without it triage uses health alone. */
  triageSignals?: TriageSignalSource;
}

const entityTriageQuery = z.object({
  environment: z
    .string()
    .superRefine((value, ctx) => {
      const problem = mlopsNameProblem(value);
      if (problem) {
        ctx.addIssue({ code: 'custom', message: problem });
      }
    })
    .optional(),
  limit: z.coerce.number().int().min(1).max(TRIAGE_MAX_LIMIT).optional(),
});

const searchQuery = z.object({
  q: z.string().max(200).optional(),
  category: z.enum(TRIAGE_CATEGORIES).optional(),
});

const entryParams = z.object({
  id: z
    .string()
    .max(100)
    .regex(/^[a-z0-9]+(?:-[a-z0-9]+)*$/, 'must be a kebab-case entry id'),
});

/**
 * Routes of the triage capability: guidance matched to an entity's current
 * problems, and search over the knowledge base.
 */
export function createTriageRouter(
  options: TriageRouterOptions,
): express.Router {
  const { httpAuth, entities } = options;
  const triage = new TriageService({
    objects: options.objectFacts,
    health: options.health,
    signals: options.triageSignals,
    logger: options.logger,
  });
  const router = Router();

  router.get('/entities/:kind/:namespace/:name/triage', async (req, res) => {
    const ref = parseInput(entityRefParams, req.params, 'entity reference');
    const query = parseInput(entityTriageQuery, req.query, 'triage query');
    const credentials = await httpAuth.credentials(req);
    const resolved = await entities.resolve(ref, credentials);
    res.json(await triage.triage(resolved, query));
  });

  router.get('/triage/entries', async (req, res) => {
    const query = parseInput(searchQuery, req.query, 'triage search');
    await httpAuth.credentials(req);
    const items = searchTriageEntries(query);
    const body: TriageEntryList = { items, total: items.length };
    res.json(body);
  });

  router.get('/triage/entries/:id', async (req, res) => {
    const { id } = parseInput(entryParams, req.params, 'triage entry id');
    await httpAuth.credentials(req);
    const entry = getTriageEntry(id);
    if (!entry) {
      throw new NotFoundError(`No triage entry with id ${id}`);
    }
    res.json(entry);
  });

  return router;
}
