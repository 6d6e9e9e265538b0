import {
  mlflowNameProblem,
  mlopsNameProblem,
  mlopsValueProblem,
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
