import {
  mlflowNameProblem,
  mlopsNameProblem,
  mlopsValueProblem,
  TRACKING_BATCH_LIMITS,
} from '@backstage-mlops/plugin-mlops-common';
import { z } from 'zod';
import { MlflowError } from './errors';

/*
 * Request parsing shared by the MLflow routes: MLflow's field shapes (int64 as
 * numbers or digit strings, metric values with NaN and the infinities as
 * strings, key/value lists) checked against the portal's one naming rule, and
 * every failure reported as INVALID_PARAMETER_VALUE.
 */

function problemMessage(
  what: string,
  problem: string | undefined,
): string | undefined {
  return problem ? `${what} ${problem}` : undefined;
}

/** A name (experiment, run, key) under the portal's one naming rule. */
export const name = (what: string) =>
  z.string().superRefine((value, ctx) => {
    const problem = problemMessage(what, mlopsNameProblem(value));
    if (problem) ctx.addIssue({ code: 'custom', message: problem });
  });

/**
 * An experiment or run name as MLflow allows it: free text up to
 * `maxLength`, without control characters (`mlflowNameProblem`).
 */
export const freeName = (what: string, maxLength: number) =>
  z.string().superRefine((value, ctx) => {
    const problem = problemMessage(what, mlflowNameProblem(value, maxLength));
    if (problem) ctx.addIssue({ code: 'custom', message: problem });
  });

/** A param or tag value within MLflow's length limits. */
export const value = (kind: 'param' | 'tag') =>
  z.string().superRefine((v, ctx) => {
    const problem = problemMessage(`${kind} value`, mlopsValueProblem(kind, v));
    if (problem) ctx.addIssue({ code: 'custom', message: problem });
  });

/** int64 fields arrive as numbers or, from protobuf JSON, as digit strings. */
export const int64 = z
  .union([z.number(), z.string().regex(/^-?\d+$/)])
  .transform(Number)
  .refine(Number.isSafeInteger, 'must be an integer');

/** Metric values: numbers, or "NaN"/"Infinity"/"-Infinity" as protobuf JSON writes them. */
export const metricValue = z
  .union([z.number(), z.enum(['NaN', 'Infinity', '-Infinity'])])
  .transform(Number);

/** MLflow's `[{ key, value }]` lists of params or tags. */
export const keyValues = (kind: 'param' | 'tag') =>
  z.array(z.object({ key: name(`${kind} key`), value: value(kind) }));

/** Parses a request part, failing with INVALID_PARAMETER_VALUE naming each bad field. */
export function parse<T extends z.ZodTypeAny>(
  schema: T,
  input: unknown,
): z.infer<T> {
  const result = schema.safeParse(input ?? {});
  if (!result.success) {
    const details = result.error.issues
      .map(issue =>
        issue.path.length > 0
          ? `${issue.path.join('.')}: ${issue.message}`
          : issue.message,
      )
      .join('; ');
    throw new MlflowError('INVALID_PARAMETER_VALUE', details);
  }
  return result.data;
}

/** A record as MLflow's key/value list. */
export function toKeyValues(record: Record<string, string>) {
  return Object.entries(record).map(([key, v]) => ({ key, value: v }));
}

/** One metric of a log-batch, as the store takes it. */
export interface PlainMetric {
  key: string;
  value: number;
  step: number;
  timestamp: number;
}

const RUN_ID = /^[0-9a-f]{32}$/i;
const INT64_TEXT = /^-?\d+$/;

function plainInt64(input: unknown, fallback: number): number | undefined {
  if (input === undefined) return fallback;
  const n =
    typeof input === 'string' && INT64_TEXT.test(input) ? Number(input) : input;
  return typeof n === 'number' && Number.isSafeInteger(n) ? n : undefined;
}

function plainMetricValue(input: unknown): number | undefined {
  if (typeof input === 'number')
    return Number.isFinite(input) ? input : undefined;
  return input === 'NaN' || input === 'Infinity' || input === '-Infinity'
    ? Number(input)
    : undefined;
}

/**
 * log-batch's usual body, a run id and metrics only, checked by hand. A
 * training job sends one per step, and zod's parse of its metrics cost more
 * than writing them (a tenth of the backend's CPU under a 4-client load).
 * It accepts exactly what the zod schemas of the route accept and gives the
 * same values; anything else, valid or not, is undefined and goes through
 * those schemas, which word every error.
 */
export function plainMetricsBatch(
  body: unknown,
  now: number,
): { runId: string; metrics: PlainMetric[] } | undefined {
  if (typeof body !== 'object' || body === null) return undefined;
  const {
    run_id: runId,
    run_uuid,
    metrics,
    params,
    tags,
  } = body as Record<string, unknown>;
  const empty = (list: unknown) =>
    list === undefined || (Array.isArray(list) && list.length === 0);
  if (
    run_uuid !== undefined ||
    typeof runId !== 'string' ||
    !RUN_ID.test(runId) ||
    !empty(params) ||
    !empty(tags) ||
    !Array.isArray(metrics) ||
    metrics.length > TRACKING_BATCH_LIMITS.metrics
  ) {
    return undefined;
  }
  const plain: PlainMetric[] = new Array(metrics.length);
  for (let i = 0; i < metrics.length; i++) {
    const metric = metrics[i];
    if (typeof metric !== 'object' || metric === null) return undefined;
    const { key, value: raw, step: rawStep, timestamp: rawTime } = metric;
    if (typeof key !== 'string' || mlopsNameProblem(key) !== undefined) {
      return undefined;
    }
    const measured = plainMetricValue(raw);
    const step = plainInt64(rawStep, 0);
    const timestamp = plainInt64(rawTime, now);
    if (
      measured === undefined ||
      step === undefined ||
      timestamp === undefined
    ) {
      return undefined;
    }
    plain[i] = { key, value: measured, step, timestamp };
  }
  return { runId, metrics: plain };
}
