import {
  MLOPS_NAME_MAX_LENGTH,
  RUN_STATUSES,
  RunStatus,
  TRACKING_BATCH_LIMITS,
  TRACKING_SEARCH_MAX_PAGE_SIZE,
  mlopsNameProblem,
  mlopsValueProblem,
} from '@backstage-mlops/plugin-mlops-common';
import { InputError } from '@backstage/errors';
import { z } from 'zod';
import { fromMetricValue } from './metricValues';
import { parseInput } from '../shared/validation';
import {
  NewExperiment,
  NewRun,
  RunBatch,
  RunSearch,
  RunUpdate,
} from './TrackingStore';

/** A name or key that follows the one MLOps naming rule (mlops-common). */
export const mlopsName = z.string().superRefine((value, ctx) => {
  const problem = mlopsNameProblem(value);
  if (problem) {
    ctx.addIssue({ code: 'custom', message: problem });
  }
});

const paramValue = z.string().superRefine((value, ctx) => {
  const problem = mlopsValueProblem('param', value);
  if (problem) {
    ctx.addIssue({ code: 'custom', message: problem });
  }
});

const tagValue = z.string().superRefine((value, ctx) => {
  const problem = mlopsValueProblem('tag', value);
  if (problem) {
    ctx.addIssue({ code: 'custom', message: problem });
  }
});

const tagMap = z
  .record(mlopsName, tagValue)
  .refine(tags => Object.keys(tags).length <= TRACKING_BATCH_LIMITS.paramsAndTags, {
    message: `at most ${TRACKING_BATCH_LIMITS.paramsAndTags} tags`,
  });

const status = z.enum(RUN_STATUSES as [RunStatus, ...RunStatus[]]);

/** Epoch milliseconds or an ISO 8601 time. */
const time = z.union([
  z.number().int().nonnegative(),
  z.iso.datetime({ offset: true }).transform(value => Date.parse(value)),
]);

const freeText = (max: number) => z.string().trim().min(1).max(max);

const experimentBody = z.object({
  name: mlopsName,
  owner: freeText(255).optional(),
  description: z.string().max(10_000).optional(),
  tags: tagMap.optional(),
});

const runBody = z
  .object({
    experimentId: z.string().regex(/^\d{1,18}$/, 'must be a numeric id').optional(),
    experimentName: mlopsName.optional(),
    name: freeText(MLOPS_NAME_MAX_LENGTH).optional(),
    status: status.optional(),
    startTime: time.optional(),
    source: freeText(500).optional(),
    parentRunId: z.string().regex(/^[0-9a-f]{32}$/, 'must be a run id').optional(),
    tags: tagMap.optional(),
  })
  .refine(body => Boolean(body.experimentId) !== Boolean(body.experimentName), {
    message: 'give exactly one of experimentId and experimentName',
  });

const runUpdateBody = z
  .object({
    name: freeText(MLOPS_NAME_MAX_LENGTH).optional(),
    status: status.optional(),
    endTime: time.optional(),
    deleted: z.boolean().optional(),
  })
  .refine(body => Object.values(body).some(v => v !== undefined), {
    message: 'nothing to change: give name, status, endTime or deleted',
  });

const metricValue = z.union([
  z.number(),
  z.enum(['NaN', 'Infinity', '-Infinity']),
]);

const batchBody = z.object({
  metrics: z
    .array(
      z.object({
        key: mlopsName,
        value: metricValue,
        step: z.number().int().nonnegative().optional(),
        timestamp: z.number().int().nonnegative().optional(),
      }),
    )
    .default([]),
  params: z.array(z.object({ key: mlopsName, value: paramValue })).default([]),
  tags: z.array(z.object({ key: mlopsName, value: tagValue })).default([]),
});

const operator = z.enum(['=', '!=', '<', '<=', '>', '>=']);

const filterClause = z.discriminatedUnion('type', [
  z.object({
    type: z.literal('metric'),
    key: mlopsName,
    op: operator,
    value: z.number().refine(Number.isFinite, 'must be a finite number'),
  }),
  z.object({ type: z.literal('param'), key: mlopsName, op: operator, value: z.string() }),
  z.object({ type: z.literal('tag'), key: mlopsName, op: operator, value: z.string() }),
  z.object({ type: z.literal('status'), op: z.enum(['=', '!=']), value: status }),
]);

const direction = z.enum(['asc', 'desc']).optional();

const searchBody = z.object({
  experimentIds: z.array(z.string().min(1).max(20)).max(100).optional(),
  experimentNames: z.array(mlopsName).max(100).optional(),
  filter: z.array(filterClause).max(20).default([]),
  orderBy: z
    .discriminatedUnion('type', [
      z.object({ type: z.literal('metric'), key: mlopsName, direction }),
      z.object({ type: z.literal('param'), key: mlopsName, direction }),
      z.object({
        type: z.literal('attribute'),
        key: z.enum(['start_time', 'end_time', 'name']),
        direction,
      }),
    ])
    .optional(),
  pageSize: z
    .number()
    .int()
    .min(1)
    .max(
      TRACKING_SEARCH_MAX_PAGE_SIZE,
      `must be at most ${TRACKING_SEARCH_MAX_PAGE_SIZE} (the largest page)`,
    )
    .default(100),
  pageToken: z.string().min(1).max(2000).optional(),
  includeDeleted: z.boolean().default(false),
});

/** A run id in a route path. */
export const runIdParam = z.string().regex(/^[0-9a-f]{32}$/, 'must be a run id');

export function parseExperimentBody(body: unknown): NewExperiment {
  return parseInput(experimentBody, body, 'experiment');
}

export function parseRunBody(body: unknown, user: string | undefined): NewRun {
  return { ...parseInput(runBody, body, 'run'), user };
}

export function parseRunUpdate(body: unknown): RunUpdate {
  return parseInput(runUpdateBody, body, 'run update');
}

export function parseSearch(body: unknown): RunSearch {
  return parseInput(searchBody, body ?? {}, 'run search');
}

/**
 * Checks MLflow's batch limits before anything else, so an oversized batch
 * gets one clear message naming the limit instead of a list of field errors.
 */
export function parseBatch(body: unknown, now: number): RunBatch {
  if (body && typeof body === 'object') {
    const { metrics, params, tags } = body as Record<string, unknown>;
    const count = (v: unknown) => (Array.isArray(v) ? v.length : 0);
    if (count(metrics) > TRACKING_BATCH_LIMITS.metrics) {
      throw new InputError(
        `A log batch holds at most ${TRACKING_BATCH_LIMITS.metrics} metrics; this one has ${count(metrics)}`,
      );
    }
    if (count(params) + count(tags) > TRACKING_BATCH_LIMITS.paramsAndTags) {
      throw new InputError(
        `A log batch holds at most ${TRACKING_BATCH_LIMITS.paramsAndTags} params and tags together; this one has ${
          count(params) + count(tags)
        }`,
      );
    }
  }
  const batch = parseInput(batchBody, body, 'log batch');
  return {
    metrics: batch.metrics.map(m => ({
      key: m.key,
      value: fromMetricValue(m.value),
      step: m.step ?? 0,
      timestamp: m.timestamp ?? now,
    })),
    params: batch.params,
    tags: batch.tags,
  };
}

/** The `ids` of `GET /runs/compare?ids=a,b`. */
export function parseCompareIds(query: unknown): string[] {
  const parsed = parseInput(
    z.object({ ids: z.string().min(1) }),
    query,
    'run comparison',
  );
  const ids = [...new Set(parsed.ids.split(',').map(id => id.trim()).filter(Boolean))];
  return parseInput(
    z
      .array(runIdParam)
      .min(2, 'give at least two run ids to compare')
      .max(50, 'compare at most 50 runs at once'),
    ids,
    'run comparison ids',
  );
}
