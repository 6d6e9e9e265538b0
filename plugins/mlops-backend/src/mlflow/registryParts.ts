import {
  MODEL_STAGES,
  ModelStage,
  ModelVersion,
  RegisteredModel,
} from '@backstage-mlops/plugin-mlops-common';
import { InputError } from '@backstage/errors';
import { z } from 'zod';
import { parseVersionNumber } from '../registry';
import { MlflowError } from './errors';
import { name as keyName, toKeyValues } from './parsing';

/*
 * What MLflow's registry routes share: the registry's objects in MLflow's
 * shapes, MLflow's stage and version fields, and the registry's errors in
 * MLflow's codes.
 */

const ms = (iso: string) => Date.parse(iso);

export function mlflowModelVersion(version: ModelVersion) {
  return {
    name: version.model,
    version: String(version.version),
    creation_timestamp: ms(version.createdAt),
    last_updated_timestamp: ms(version.updatedAt),
    user_id: version.createdBy ?? '',
    current_stage: version.stage,
    description: version.description ?? '',
    source: version.artifactUri ?? '',
    run_id: version.runId ?? '',
    // MLflow's server answers an empty link where none was given.
    run_link: '',
    status: version.status,
    tags: toKeyValues(version.tags),
    aliases: version.aliases,
  };
}

export function mlflowRegisteredModel(
  model: RegisteredModel,
  latest: ModelVersion[] = [],
) {
  return {
    name: model.name,
    creation_timestamp: ms(model.createdAt),
    last_updated_timestamp: ms(model.updatedAt),
    description: model.description ?? '',
    latest_versions: latest.map(mlflowModelVersion),
    tags: toKeyValues(model.tags),
    aliases: Object.entries(model.aliases).map(([alias, version]) => ({
      alias,
      version: String(version),
    })),
  };
}

/** MLflow matches stage names case-insensitively ("production"). */
export const stage = z
  .string()
  .transform(s => MODEL_STAGES.find(m => m.toLowerCase() === s.toLowerCase()))
  .refine((s): s is ModelStage => s !== undefined, {
    message: `stage must be one of ${MODEL_STAGES.join(', ')}`,
  });

export const versionNumber = z
  .union([z.string(), z.number()])
  .transform((v, ctx) => {
    try {
      return parseVersionNumber(String(v));
    } catch (error) {
      ctx.addIssue({ code: 'custom', message: (error as Error).message });
      return z.NEVER;
    }
  });

/** Re-throws the registry's route-parameter validation as MLflow's error. */
export function mlflowInput<T>(read: () => T): T {
  try {
    return read();
  } catch (error) {
    if (error instanceof InputError) {
      throw new MlflowError('INVALID_PARAMETER_VALUE', error.message);
    }
    throw error;
  }
}

/** The same for the store's asynchronous input errors (a foreign page token). */
export async function mlflowQuery<T>(run: () => Promise<T>): Promise<T> {
  try {
    return await run();
  } catch (error) {
    if (error instanceof InputError) {
      throw new MlflowError('INVALID_PARAMETER_VALUE', error.message);
    }
    throw error;
  }
}

/**
 * The registry's governance refusals (ConflictError: a version in
 * Production, aliased or deployed) as MLflow's RESOURCE_CONFLICT, a 409
 * whose message says why.
 */
export async function governed<T>(run: () => Promise<T>): Promise<T> {
  try {
    return await run();
  } catch (error) {
    if ((error as Error)?.name === 'ConflictError') {
      throw new MlflowError('RESOURCE_CONFLICT', (error as Error).message);
    }
    throw error;
  }
}

export const tagKey = keyName('tag key');
