import {
  MODEL_STAGES,
  ModelStage,
  isReservedModelAlias,
  mlopsNameProblem,
  mlopsValueProblem,
} from '@backstage-mlops/plugin-mlops-common';
import { InputError } from '@backstage/errors';
import { z } from 'zod';

/** A name that follows the shared MLOps naming rule. */
export const objectName = z.string().superRefine((value, ctx) => {
  const problem = mlopsNameProblem(value);
  if (problem) {
    ctx.addIssue({ code: 'custom', message: problem });
  }
});

/** Parses the `:name` route parameter. */
export function parseModelName(value: string): string {
  const problem = mlopsNameProblem(value);
  if (problem) {
    throw new InputError(`Invalid model name "${value}": ${problem}`);
  }
  return value;
}

const MAX_VERSION = 2_147_483_647;

/** Parses a version number from a route parameter or query string. */
export function parseVersionNumber(value: unknown, what = 'version'): number {
  if (typeof value !== 'string' || !/^[1-9]\d{0,9}$/.test(value)) {
    throw new InputError(
      `Invalid ${what} "${String(
        value ?? '',
      )}": must be a positive whole number`,
    );
  }
  const version = Number(value);
  if (version > MAX_VERSION) {
    throw new InputError(`Invalid ${what} "${value}": too large`);
  }
  return version;
}

const ALIAS_CHARACTERS = /^[\p{L}\p{N}_-]+$/u;

/**
 * Parses an alias name: letters, digits, `_` and `-`, at most 255
 * characters, and not one of the reserved names (`latest`, `v<N>`).
 */
export function parseAlias(value: string): string {
  if (value.length === 0 || value.length > 255) {
    throw new InputError(
      `Invalid alias "${value}": must be 1 to 255 characters`,
    );
  }
  if (!ALIAS_CHARACTERS.test(value)) {
    throw new InputError(
      `Invalid alias "${value}": may only contain letters, digits, _ and -`,
    );
  }
  if (isReservedModelAlias(value)) {
    throw new InputError(
      `Alias "${value}" is reserved: "latest" and "v<number>" always mean the newest version and a version number`,
    );
  }
  return value;
}

/**
 * True when an artifact URI has a `..` path segment, also when the dots or
 * the slashes are percent-encoded, so it can never point outside the store
 * it names.
 */
export function hasParentSegment(uri: string): boolean {
  let decoded = uri;
  try {
    decoded = decodeURIComponent(uri);
  } catch {
    // A malformed escape is judged as written.
  }
  return [uri, decoded].some(text =>
    text.split(/[/\\]/).some(segment => segment === '..'),
  );
}

const tags = z
  .record(z.string().min(1).max(250), z.string().max(5000))
  .refine(value => Object.keys(value).length <= 100, {
    message: 'at most 100 tags',
  });

const reason = z.string().trim().min(1).max(1000);

/** Body of `POST /models`. */
export const createModelBody = z.strictObject({
  name: objectName,
  owner: z.string().min(1).max(255).optional(),
  description: z.string().max(5000).optional(),
  tags: tags.optional(),
  pipelineName: objectName.optional(),
  experimentName: objectName.optional(),
});

/** Body of `PATCH /models/:name`; `null` clears an optional field. */
export const updateModelBody = z
  .strictObject({
    owner: z.string().min(1).max(255).nullable().optional(),
    description: z.string().max(5000).nullable().optional(),
    tags: tags.optional(),
    pipelineName: objectName.nullable().optional(),
    experimentName: objectName.nullable().optional(),
  })
  .refine(value => Object.keys(value).length > 0, {
    message: 'nothing to update',
  });

/** Body of `POST /models/:name/versions`. */
export const createVersionBody = z.strictObject({
  // PostgreSQL refuses NUL in text: a control character is a 400 here, not a 500 there.
  runId: z
    .string()
    .min(1)
    .max(255)
    // eslint-disable-next-line no-control-regex
    .regex(/^[^\u0000-\u001f]*$/, 'must not contain control characters')
    .optional(),
  artifactUri: z
    .string()
    .min(1)
    .max(2048)
    // eslint-disable-next-line no-control-regex
    .refine(value => !/[\u0000-\u001f]/.test(value), {
      message: 'must not contain control characters',
    })
    .refine(value => !hasParentSegment(value), {
      message: 'must not contain .. path segments',
    })
    .optional(),
  description: z.string().max(5000).optional(),
  tags: tags.optional(),
});

const stage = z.string().transform((value, ctx) => {
  const match = MODEL_STAGES.find(s => s.toLowerCase() === value.toLowerCase());
  if (!match) {
    ctx.addIssue({
      code: 'custom',
      message: `must be one of ${MODEL_STAGES.join(', ')}`,
    });
    return z.NEVER;
  }
  return match as ModelStage;
});

/** Body of `POST /models/:name/versions/:version/stage`. */
export const transitionBody = z.strictObject({
  stage,
  archiveExisting: z.boolean().optional(),
  reason: reason.optional(),
});

/** Body of `PUT /models/:name/aliases/:alias`. */
export const setAliasBody = z.strictObject({
  version: z.number().int().min(1).max(MAX_VERSION),
  reason: reason.optional(),
});

/** Body of `POST /models/:name/rollback`. */
export const rollbackBody = z.strictObject({ reason });

/** Body of `POST /models/:name/retention`. */
export const retentionBody = z.strictObject({
  keep: z.number().int().min(1).max(10_000),
  dryRun: z.boolean().optional(),
});

/** Query of `GET /models/:name/history`. */
export const historyQuery = z.object({
  limit: z.coerce.number().int().min(1).max(1000).optional(),
  before: z.coerce.number().int().min(1).optional(),
});

/** Body of `POST /models/:name/rename`. */
export const renameModelBody = z.strictObject({
  newName: z.string().transform((value, ctx) => {
    try {
      return parseModelName(value);
    } catch (error) {
      ctx.addIssue({ code: 'custom', message: (error as Error).message });
      return z.NEVER;
    }
  }),
});

/** A version tag: MLflow's key rule and value limit. */
export const versionTagBody = z.object({
  key: z.string().superRefine((value, ctx) => {
    const problem = mlopsNameProblem(value);
    if (problem)
      ctx.addIssue({ code: 'custom', message: `tag key ${problem}` });
  }),
  value: z.string().superRefine((value, ctx) => {
    const problem = mlopsValueProblem('tag', value);
    if (problem)
      ctx.addIssue({ code: 'custom', message: `tag value ${problem}` });
  }),
});
