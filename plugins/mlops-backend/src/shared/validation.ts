import { InputError } from '@backstage/errors';
import { mlopsNameProblem } from '@backstage-mlops/plugin-mlops-common';
import { z } from 'zod';

/**
 * Parses untrusted input with a zod schema and turns a failure into a 400
 * whose message names every offending field.
 */
export function parseInput<T extends z.ZodTypeAny>(
  schema: T,
  input: unknown,
  what = 'request',
): z.infer<T> {
  const result = schema.safeParse(input);
  if (!result.success) {
    const details = result.error.issues
      .map(issue =>
        issue.path.length > 0
          ? `${issue.path.join('.')}: ${issue.message}`
          : issue.message,
      )
      .join('; ');
    throw new InputError(`Invalid ${what}: ${details}`);
  }
  return result.data;
}

/** The `:kind/:namespace/:name` parameters of entity-scoped routes. */
export const entityRefParams = z.object({
  kind: z.string().min(1).max(63),
  namespace: z.string().min(1).max(63),
  name: z.string().min(1).max(253),
});

/** A name that follows the shared MLOps naming rule, its problem named as a name's. */
export const mlopsName = z.string().superRefine((value, ctx) => {
  const problem = mlopsNameProblem(value);
  if (problem) {
    ctx.addIssue({ code: 'custom', message: `name ${problem}` });
  }
});
