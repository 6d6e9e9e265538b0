import { ConflictError, NotFoundError } from '@backstage/errors';
import { Knex } from 'knex';
import { isUniqueViolation, readJsonTags } from '../database/values';

/*
 * The registry's edits of a model as a whole and of tags: tags on models
 * and versions, renaming a model, deleting a model. Each runs in one
 * transaction that first touches the model row, the lock RegistryStore
 * takes for every change to a model. What the portal governs stays: a model
 * with a version in Production, aliased or deployed is not deleted, and a
 * model with a deployed version is not renamed (its deployments, drift
 * baselines and monitoring are recorded under its name).
 */

const MODELS = 'mlops_registered_models';
const VERSIONS = 'mlops_model_versions';
const ALIASES = 'mlops_model_aliases';
const HISTORY = 'mlops_model_history';

/** Answers whether a version runs somewhere (the deployments capability). */
export interface DeployedCheck {
  isDeployed(model: string, version: number): Promise<boolean>;
}

function notFoundModel(name: string) {
  return new NotFoundError(`No registered model named "${name}"`);
}

/**
 * Locks the model row for the transaction. Tag edits do not count as an
 * update of the model (MLflow's last_updated_timestamp stays), so the row is
 * written with its own value unless `touch` is given.
 */
async function lockModel(
  tx: Knex.Transaction,
  name: string,
  touch?: Date,
): Promise<{ id: number; tags: string }> {
  const count = await tx(MODELS)
    .where({ name })
    .update({ updated_at: touch ?? tx.ref('updated_at') });
  if (count === 0) {
    throw notFoundModel(name);
  }
  return tx(MODELS).where({ name }).first('id', 'tags');
}

/** Sets (`value` given) or removes one tag of a model; removing a missing tag changes nothing, as in MLflow. */
export async function editModelTag(
  db: Knex,
  name: string,
  key: string,
  value: string | undefined,
): Promise<void> {
  await db.transaction(async tx => {
    const model = await lockModel(tx, name);
    const tags = readJsonTags(model.tags);
    if (value === undefined) delete tags[key];
    else tags[key] = value;
    await tx(MODELS)
      .where({ id: model.id })
      .update({ tags: JSON.stringify(tags) });
  });
}

/** Sets or removes one tag of a version, as {@link editModelTag} does for models. */
export async function editVersionTag(
  db: Knex,
  name: string,
  version: number,
  key: string,
  value: string | undefined,
): Promise<void> {
  await db.transaction(async tx => {
    const model = await lockModel(tx, name);
    const row = await tx(VERSIONS)
      .where({ model_id: model.id, version })
      .first('id', 'tags');
    if (!row) {
      throw new NotFoundError(`Model "${name}" has no version ${version}`);
    }
    const tags = readJsonTags(row.tags);
    if (value === undefined) delete tags[key];
    else tags[key] = value;
    await tx(VERSIONS)
      .where({ id: row.id })
      .update({ tags: JSON.stringify(tags) });
  });
}

/**
 * Why a model's versions may not go away: each version in Production,
 * carrying an alias, or deployed, with the reason.
 */
export async function protectedVersions(
  db: Knex,
  name: string,
  deployments: DeployedCheck | undefined,
  reasons: Array<'production' | 'alias' | 'deployed'>,
): Promise<string[]> {
  const model = await db(MODELS).where({ name }).first('id');
  if (!model) {
    throw notFoundModel(name);
  }
  const [versions, aliases] = await Promise.all([
    db(VERSIONS)
      .where({ model_id: model.id })
      .orderBy('version')
      .select('version', 'stage'),
    db(ALIASES).where({ model_id: model.id }).orderBy('alias'),
  ]);
  const found: string[] = [];
  for (const row of versions) {
    const version = Number(row.version);
    const why: string[] = [];
    if (reasons.includes('production') && row.stage === 'Production') {
      why.push('is in Production');
    }
    const named = aliases
      .filter(a => Number(a.version) === version)
      .map(a => a.alias);
    if (reasons.includes('alias') && named.length > 0) {
      why.push(`carries the alias ${named.join(', ')}`);
    }
    if (
      reasons.includes('deployed') &&
      deployments &&
      (await deployments.isDeployed(name, version))
    ) {
      why.push('is deployed');
    }
    if (why.length > 0) {
      found.push(`version ${version} ${why.join(' and ')}`);
    }
  }
  return found;
}

/**
 * Renames a model. Versions, aliases and history are the model's by id and
 * follow it. A taken name is a ConflictError naming it, as is a model with
 * a deployed version.
 */
export async function renameModel(
  db: Knex,
  now: Date,
  name: string,
  newName: string,
  deployments?: DeployedCheck,
): Promise<void> {
  const blocked = await protectedVersions(db, name, deployments, ['deployed']);
  if (blocked.length > 0) {
    throw new ConflictError(
      `Model "${name}" cannot be renamed: ${blocked.join(
        '; ',
      )}, and its deployments are recorded under this name; retire the deployment first`,
    );
  }
  try {
    await db.transaction(async tx => {
      await lockModel(tx, name, now);
      await tx(MODELS).where({ name }).update({ name: newName });
    });
  } catch (error) {
    if (isUniqueViolation(error)) {
      throw new ConflictError(
        `A model named "${newName}" is already registered`,
      );
    }
    throw error;
  }
}

/**
 * Deletes a model with its versions, aliases and history, unless a version
 * is in Production, aliased or deployed: then a ConflictError says which
 * and why, and nothing changes.
 */
export async function deleteModel(
  db: Knex,
  now: Date,
  name: string,
  deployments?: DeployedCheck,
): Promise<void> {
  const blocked = await protectedVersions(db, name, deployments, [
    'production',
    'alias',
    'deployed',
  ]);
  if (blocked.length > 0) {
    throw new ConflictError(
      `Model "${name}" cannot be deleted: ${blocked.join(
        '; ',
      )}. Archive, unalias or undeploy it first`,
    );
  }
  await db.transaction(async tx => {
    const model = await lockModel(tx, name, now);
    // Checked again under the lock: a promotion or alias since the check
    // above keeps the model.
    const promoted = await tx(VERSIONS)
      .where({ model_id: model.id, stage: 'Production' })
      .first('version');
    const aliased = await tx(ALIASES)
      .where({ model_id: model.id })
      .first('alias');
    if (promoted || aliased) {
      throw new ConflictError(
        `Model "${name}" changed while it was being deleted; try again`,
      );
    }
    await tx(HISTORY).where({ model_id: model.id }).delete();
    await tx(ALIASES).where({ model_id: model.id }).delete();
    await tx(VERSIONS).where({ model_id: model.id }).delete();
    await tx(MODELS).where({ id: model.id }).delete();
  });
}
