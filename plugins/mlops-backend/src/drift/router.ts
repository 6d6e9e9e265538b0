import { HttpAuthService } from '@backstage/backend-plugin-api';
import { InputError } from '@backstage/errors';
import express from 'express';
import Router from 'express-promise-router';
import { z } from 'zod';
import { EntityResolver } from '../shared/EntityResolver';
import { entityRefParams, parseInput } from '../shared/validation';
import { DriftService } from './DriftService';
import { MlopsObjectReadAccess } from '../permissions/MlopsObjectReadAccess';

const DRIFT_TESTS = [
  'ks',
  'chisquare',
  'ztest',
  'psi',
  'wasserstein',
  'jensenshannon',
] as const;

/** Test selection and thresholds a caller may pass to a drift check. */
const driftOptionsSchema = z
  .object({
    driftShareThreshold: z.number().min(0).max(1).optional(),
    correction: z.enum(['none', 'bonferroni', 'benjamini-hochberg']).optional(),
    columns: z.array(z.string().min(1)).min(1).optional(),
    minSampleSize: z.number().int().positive().optional(),
    features: z
      .record(
        z.string(),
        z
          .object({
            test: z.enum(DRIFT_TESTS).optional(),
            threshold: z.number().optional(),
          })
          .strict(),
      )
      .optional(),
  })
  .strict();

const compareBody = z.object({
  // The statistics check the datasets themselves, with messages that name
  // the column and element at fault.
  reference: z.unknown().optional(),
  current: z.unknown().optional(),
  options: driftOptionsSchema.optional(),
  requiredColumns: z.array(z.string().min(1)).optional(),
});

const modelParams = z.object({
  // PostgreSQL refuses NUL in text: a control character is a 400, not a 500.
  name: z
    .string()
    .min(1)
    .max(500)
    // eslint-disable-next-line no-control-regex
    .regex(/^[^\u0000-\u001f]*$/, 'must not contain control characters'),
});

const versionParams = modelParams.extend({
  version: z.coerce.number().int().positive().max(2_147_483_647),
});

/** A dataset posted as rows or as columns, never both. */
const uploadedData = {
  rows: z.array(z.unknown()).optional(),
  columns: z.record(z.string(), z.unknown()).optional(),
};

const baselineBody = z
  .object(uploadedData)
  .refine(b => (b.rows === undefined) !== (b.columns === undefined), {
    message: 'send the baseline as either "rows" or "columns"',
  });

const baselineQuery = z.object({
  replace: z.enum(['true', 'false']).optional(),
});

const currentBody = z
  .object({
    ...uploadedData,
    version: z.number().int().positive().optional(),
    options: driftOptionsSchema.optional(),
    requiredColumns: z.array(z.string().min(1)).optional(),
  })
  .refine(b => (b.rows === undefined) !== (b.columns === undefined), {
    message: 'send the current window as either "rows" or "columns"',
  });

/**
 * A JSON parser for the drift routes only: datasets need a larger body than
 * the plugin's 1 MB default, and an oversized or malformed body should be a
 * 400 that says what to do rather than a bare 413.
 */
function driftJsonParser(maxBodyBytes: number): express.RequestHandler {
  const parse = express.json({ limit: maxBodyBytes });
  return (req, res, next) => {
    parse(req, res, (error?: any) => {
      if (error?.type === 'entity.too.large') {
        next(
          new InputError(
            `Request body is ${
              error.length ?? 'over'
            } bytes; drift data is limited to ${maxBodyBytes} bytes per request (send fewer rows, or columns instead of rows)`,
          ),
        );
      } else if (error?.type === 'entity.parse.failed') {
        next(new InputError('Request body is not valid JSON'));
      } else {
        next(error);
      }
    });
  };
}

/** Options of {@link createDriftRouter}. */
export interface DriftRouterOptions {
  httpAuth: HttpAuthService;
  entities: EntityResolver;
  drift: DriftService;
  /** Which models' baselines a caller may read (`mlops.object.read`). */
  readAccess: MlopsObjectReadAccess;
}

/**
 * The drift routes: ad-hoc comparison, baselines per model version, checks
 * of a posted current window, and the entity view for the drift card.
 * Mount it before the plugin's main router so its own body limit applies.
 */
export async function createDriftRouter(
  options: DriftRouterOptions,
): Promise<express.Router> {
  const { httpAuth, entities, drift, readAccess } = options;
  const router = Router();
  const json = driftJsonParser(drift.limits.maxBodyBytes);

  router.post('/drift/compare', json, async (req, res) => {
    await httpAuth.credentials(req);
    const body = parseInput(compareBody, req.body ?? {}, 'drift comparison');
    res.json(drift.compare(body));
  });

  router.post(
    '/models/:name/versions/:version/baseline',
    json,
    async (req, res) => {
      const credentials = await httpAuth.credentials(req, {
        allow: ['user', 'service'],
      });
      const { name, version } = parseInput(
        versionParams,
        req.params,
        'model version',
      );
      const { replace } = parseInput(baselineQuery, req.query, 'query');
      const body = parseInput(baselineBody, req.body ?? {}, 'baseline');
      const summary = await drift.putBaseline({
        model: name,
        version,
        data: body.rows ?? body.columns,
        replace: replace === 'true',
        createdBy:
          credentials.principal.type === 'user'
            ? credentials.principal.userEntityRef
            : undefined,
      });
      res.status(summary.replaced ? 200 : 201).json(summary);
    },
  );

  router.get('/models/:name/versions/:version/baseline', async (req, res) => {
    await httpAuth.credentials(req);
    const { name, version } = parseInput(
      versionParams,
      req.params,
      'model version',
    );
    await readAccess.requireReadable(req, 'model', name);
    res.json(await drift.getBaseline(name, version));
  });

  router.post('/models/:name/drift/current', json, async (req, res) => {
    await httpAuth.credentials(req);
    const { name } = parseInput(modelParams, req.params, 'model');
    const body = parseInput(currentBody, req.body ?? {}, 'current window');
    const report = await drift.checkModel({
      model: name,
      version: body.version,
      current: body.rows ?? body.columns,
      source: 'upload',
      driftOptions: body.options,
      requiredColumns: body.requiredColumns,
    });
    res.status(201).json(report);
  });

  router.get('/entities/:kind/:namespace/:name/drift', async (req, res) => {
    const ref = parseInput(entityRefParams, req.params, 'entity reference');
    const credentials = await httpAuth.credentials(req);
    const resolved = await entities.resolve(ref, credentials);
    res.json(await drift.entityDrift(resolved));
  });

  return router;
}
