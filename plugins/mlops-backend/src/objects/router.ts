import { HttpAuthService } from '@backstage/backend-plugin-api';
import {
  makeValidator,
  parseEntityRef,
  stringifyEntityRef,
} from '@backstage/catalog-model';
import { mlopsNameProblem } from '@backstage-mlops/plugin-mlops-common';
import express from 'express';
import Router from 'express-promise-router';
import { z } from 'zod';
import { parseInput } from '../shared/validation';
import { MlopsObjectService } from './MlopsObjectService';
import { MlopsObjectReadAccess } from '../permissions/MlopsObjectReadAccess';

const objectName = z.string().superRefine((value, ctx) => {
  const problem = mlopsNameProblem(value);
  if (problem) {
    ctx.addIssue({ code: 'custom', message: `name ${problem}` });
  }
});

const entityRules = makeValidator();

const ownerRef = z
  .string()
  .min(1)
  .max(255)
  .transform((value, ctx) => {
    try {
      const ref = parseEntityRef(value, {
        defaultKind: 'group',
        defaultNamespace: 'default',
      });
      // parseEntityRef only splits; the catalog's rules decide what a
      // kind, namespace and name may contain ("not a ref:::" is none).
      if (
        !entityRules.isValidKind(ref.kind) ||
        !entityRules.isValidNamespace(ref.namespace) ||
        !entityRules.isValidEntityName(ref.name)
      ) {
        throw new Error('invalid');
      }
      return stringifyEntityRef(ref);
    } catch {
      ctx.addIssue({ code: 'custom', message: 'must be an entity reference' });
      return z.NEVER;
    }
  });

const httpUrl = z
  .string()
  .max(2048)
  .refine(value => {
    try {
      return ['http:', 'https:'].includes(new URL(value).protocol);
    } catch {
      return false;
    }
  }, 'must be an http or https URL');

const tags = z
  .record(z.string().min(1).max(250), z.string().max(5000))
  .refine(value => Object.keys(value).length <= 100, 'at most 100 tags');

const description = z.string().max(10_000);

const registerBody = z
  .object({
    owner: ownerRef,
    pipeline: z
      .object({
        name: objectName,
        description: description.optional(),
        orchestrator: z.enum(['prefect', 'airflow']).optional(),
        schedule: z.string().min(1).max(255).optional(),
        stages: z.array(z.string().min(1).max(100)).max(50).optional(),
        tags: tags.optional(),
      })
      .strict(),
    experiment: z
      .object({
        name: objectName,
        description: description.optional(),
        tags: tags.optional(),
      })
      .strict()
      .optional(),
    model: z
      .object({
        name: objectName,
        description: description.optional(),
        servingUrl: httpUrl.optional(),
        tags: tags.optional(),
      })
      .strict(),
  })
  .strict();

const registerQuery = z.object({
  dryRun: z.enum(['true', 'false']).optional(),
});

const objectParams = z.object({
  kind: z.enum(['model', 'pipeline', 'experiment']),
  name: objectName,
});

/** How many objects one by-refs request may name: a burst the catalog reads. */
const MAX_REFS_PER_REQUEST = 500;

const byRefsBody = z
  .object({
    refs: z.array(objectParams.strict()).min(1).max(MAX_REFS_PER_REQUEST),
  })
  .strict();

/** What the objects routes need from the plugin's wiring. */
export interface ObjectsRouterOptions {
  httpAuth: HttpAuthService;
  objects: MlopsObjectService;
  readAccess: MlopsObjectReadAccess;
}

/**
 * Routes over the named objects that the catalog module mirrors and the
 * scaffolder action registers:
 *
 * - `GET /objects`: every model, experiment and pipeline the caller may
 *   read (`mlops.object.read`; users and services)
 * - `GET /objects/:kind/:name`: one of them; one the caller may not read is
 *   a 404, like one that does not exist
 * - `POST /objects/by-refs` with `{ refs: [{ kind, name }] }`: several of
 *   them in one request, `{ items }` in the order asked with `null` for each
 *   that does not exist or the caller may not read (as the catalog's
 *   `POST /entities/by-refs`; the catalog module reads a burst of changes
 *   with it)
 * - `POST /objects/register`: a pipeline with its experiment and model
 *   (services); `?dryRun=true` checks and describes without storing
 * - `DELETE /objects/:kind/:name` (services)
 *
 * Writes take service credentials only: the scaffolder, training jobs and CD
 * systems (external access tokens) register objects, people do not.
 */
export function createObjectsRouter(
  options: ObjectsRouterOptions,
): express.Router {
  const { httpAuth, objects, readAccess } = options;
  const router = Router();
  router.use('/objects', express.json({ limit: '256kb' }));

  router.get('/objects', async (req, res) => {
    const credentials = await httpAuth.credentials(req, {
      allow: ['user', 'service'],
    });
    const scope = await readAccess.scopeFor(credentials);
    res.json({ items: await objects.listObjects(scope) });
  });

  router.post('/objects/by-refs', async (req, res) => {
    const credentials = await httpAuth.credentials(req, {
      allow: ['user', 'service'],
    });
    const { refs } = parseInput(byRefsBody, req.body, 'object references');
    const scope = await readAccess.scopeFor(credentials);
    const found = await objects.getObjects(refs, scope);
    res.json({ items: found.map(object => object ?? null) });
  });

  router.get('/objects/:kind/:name', async (req, res) => {
    const credentials = await httpAuth.credentials(req, {
      allow: ['user', 'service'],
    });
    const { kind, name } = parseInput(objectParams, req.params, 'object');
    const scope = await readAccess.scopeFor(credentials);
    res.json(await objects.getObject(kind, name, scope));
  });

  router.post('/objects/register', async (req, res) => {
    await httpAuth.credentials(req, { allow: ['service'] });
    const body = parseInput(registerBody, req.body, 'pipeline registration');
    const { dryRun } = parseInput(registerQuery, req.query, 'query');
    const registered = await objects.registerPipeline(
      { ...body, experiment: body.experiment ?? { name: body.model.name } },
      { dryRun: dryRun === 'true' },
    );
    res.json(registered);
  });

  router.delete('/objects/:kind/:name', async (req, res) => {
    await httpAuth.credentials(req, { allow: ['service'] });
    const { kind, name } = parseInput(objectParams, req.params, 'object');
    await objects.deleteObject(kind, name);
    res.status(204).end();
  });

  return router;
}
