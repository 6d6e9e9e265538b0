import {
  RetentionKeepReason,
  RetentionResult,
} from '@backstage-mlops/plugin-mlops-common';
import { ConflictError } from '@backstage/errors';
import { Knex } from 'knex';
import { appendHistory, lockModel } from './modelHistory';
import {
  ALIASES,
  listVersions,
  readVersion,
  Row,
  VERSIONS,
} from './registryRows';

/*
 * Deleting model versions, by retention and on request. What the portal
 * governs stays: a version in Production (and, for retention, in Staging),
 * aliased, or deployed is kept. Each deletion is recorded in the model's
 * history, in the transaction that locks the model row.
 */

/**
 * Answers whether a version of a model runs in some environment; the
 * deployments capability provides it. Retention never deletes a deployed
 * version.
 */
export interface DeployedVersionCheck {
  isDeployed(model: string, version: number): Promise<boolean>;
}

/**
 * Deletes the oldest versions beyond the newest `keep`, except those in
 * Production or Staging, aliased, or deployed. A dry run reports the same
 * answer without deleting.
 */
export async function applyRetention(
  db: Knex,
  clock: () => Date,
  name: string,
  options: { keep: number; dryRun?: boolean; actor: string },
  deployments?: DeployedVersionCheck,
): Promise<RetentionResult> {
  const { keep, actor } = options;
  const dryRun = options.dryRun ?? false;
  const versions = await listVersions(db, name);
  const reasons = new Map<number, RetentionKeepReason[]>();
  const candidates: number[] = [];
  for (const [index, v] of versions.entries()) {
    const why: RetentionKeepReason[] = [];
    if (index < keep) why.push('newest');
    if (v.stage === 'Production') why.push('production');
    if (v.stage === 'Staging') why.push('staging');
    if (v.aliases.length > 0) why.push('aliased');
    if (why.length === 0) {
      candidates.push(v.version);
    }
    reasons.set(v.version, why);
  }
  // Asked outside the transaction: the deployments store may share the
  // single SQLite connection that the transaction would hold.
  const deletable: number[] = [];
  for (const version of candidates) {
    if (deployments && (await deployments.isDeployed(name, version))) {
      reasons.get(version)!.push('deployed');
    } else {
      deletable.push(version);
    }
  }

  let deleted = deletable;
  if (!dryRun && deletable.length > 0) {
    deleted = await db.transaction(async tx => {
      const model = await lockModel(tx, name, clock());
      // A version promoted or aliased since the check above stays.
      const rows: Row[] = await tx(VERSIONS)
        .where({ model_id: model.id })
        .whereIn('version', deletable)
        .whereNotIn('stage', ['Production', 'Staging'])
        .whereNotIn(
          'version',
          tx(ALIASES).where({ model_id: model.id }).select('version'),
        );
      const now = clock();
      const gone = rows.map(r => Number(r.version)).sort((a, b) => a - b);
      for (const row of rows) {
        await appendHistory(tx, {
          modelId: model.id,
          version: Number(row.version),
          action: 'version_deleted',
          from: row.stage,
          actor,
          reason: `Retention keeps the newest ${keep} versions`,
          now,
        });
      }
      if (gone.length > 0) {
        await tx(VERSIONS)
          .where({ model_id: model.id })
          .whereIn('version', gone)
          .delete();
      }
      return gone;
    });
    const missed = deletable.filter(v => !deleted.includes(v));
    if (missed.length > 0) {
      for (const v of await listVersions(db, name)) {
        if (!missed.includes(v.version)) continue;
        const why = reasons.get(v.version)!;
        if (v.stage === 'Production') why.push('production');
        if (v.stage === 'Staging') why.push('staging');
        if (v.aliases.length > 0) why.push('aliased');
      }
    }
  }
  const deletedSet = new Set(deleted);
  return {
    model: name,
    keep,
    dryRun,
    deleted: [...deleted].sort((a, b) => a - b),
    kept: versions
      .filter(v => !deletedSet.has(v.version))
      .map(v => ({ version: v.version, reasons: reasons.get(v.version)! })),
  };
}

/**
 * Deletes one version, as MLflow deletes a version in None, Staging or
 * Archived; a version in Production, aliased, or deployed stays (the
 * portal's governance rule), and the refusal says why. The deletion is recorded in the model's history.
 */
export async function deleteVersion(
  db: Knex,
  clock: () => Date,
  name: string,
  version: number,
  actor: string,
  deployments?: DeployedVersionCheck,
): Promise<void> {
  const current = await readVersion(db, name, version);
  const protectedBy: string[] = [];
  if (current.stage === 'Production') {
    protectedBy.push(`it is in ${current.stage}`);
  }
  if (current.aliases.length > 0) {
    protectedBy.push(`it carries the alias ${current.aliases.join(', ')}`);
  }
  // Asked outside the transaction, as in applyRetention.
  if (deployments && (await deployments.isDeployed(name, version))) {
    protectedBy.push('it is deployed');
  }
  if (protectedBy.length > 0) {
    throw new ConflictError(
      `Version ${version} of model "${name}" cannot be deleted: ${protectedBy.join(
        '; ',
      )}`,
    );
  }
  await db.transaction(async tx => {
    const model = await lockModel(tx, name, clock());
    const row: Row | undefined = await tx(VERSIONS)
      .where({ model_id: model.id, version })
      .whereNot('stage', 'Production')
      .whereNotIn(
        'version',
        tx(ALIASES).where({ model_id: model.id }).select('version'),
      )
      .first('stage');
    if (!row) {
      throw new ConflictError(
        `Version ${version} of model "${name}" changed while it was being deleted; try again`,
      );
    }
    await appendHistory(tx, {
      modelId: model.id,
      version,
      action: 'version_deleted',
      from: row.stage,
      actor,
      reason: 'Deleted on request',
      now: clock(),
    });
    await tx(VERSIONS).where({ model_id: model.id, version }).delete();
  });
}
