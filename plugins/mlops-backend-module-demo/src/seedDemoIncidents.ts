import { LoggerService } from '@backstage/backend-plugin-api';
import { Knex } from 'knex';
import type { IncidentService } from '@backstage-mlops/plugin-mlops-backend/src/incidents/IncidentService';
import type { DeploymentSource } from '@backstage-mlops/plugin-mlops-backend/src/incidents/sources';

type Deployment = Awaited<
  ReturnType<DeploymentSource['latestByEnvironment']>
>[number];

const HOUR = 3_600_000;

/** How far back the demo history is replayed. */
export const DEMO_HISTORY_HOURS = 7 * 24;

function toMs(value: unknown): number {
  if (value instanceof Date) {
    return value.getTime();
  }
  if (typeof value === 'number') {
    return value;
  }
  const text = String(value);
  return Date.parse(/[zZ]|[+-]\d\d:?\d\d$/.test(text) ? text : `${text}Z`);
}

/**
 * The seeded deployments as they stood at a past instant: the newest
 * deployment created by then in each environment. Demo use only: it reads
 * the deployments table directly because the `DeploymentSource` contract
 * answers for the present alone.
 */
class DeploymentsAsOf implements DeploymentSource {
  private rows: Array<Deployment & { model: string; createdMs: number }> = [];
  at = 0;

  static async load(db: Knex, sinceMs: number): Promise<DeploymentsAsOf> {
    const source = new DeploymentsAsOf();
    const rows = await db('mlops_deployments')
      .orderBy('id')
      .select(
        'id',
        'model_name',
        'environment',
        'version',
        'status',
        'message',
        'created_at',
        'updated_at',
      );
    source.rows = rows
      .map(r => ({
        id: String(r.id),
        model: r.model_name,
        environment: r.environment,
        version: Number(r.version),
        status: r.status,
        message: r.message ?? undefined,
        updatedAt: new Date(toMs(r.updated_at)).toISOString(),
        createdMs: toMs(r.created_at),
      }))
      .filter(r => r.createdMs >= sinceMs);
    return source;
  }

  /** Instants worth looking at: just after each deployment started. */
  instants(): Date[] {
    return this.rows.map(r => new Date(r.createdMs + 60_000));
  }

  async latestByEnvironment(model: string): Promise<Deployment[]> {
    const latest = new Map<string, Deployment & { createdMs: number }>();
    for (const row of this.rows) {
      if (row.model !== model || row.createdMs > this.at) {
        continue;
      }
      const current = latest.get(row.environment);
      if (!current || row.createdMs >= current.createdMs) {
        latest.set(row.environment, row);
      }
    }
    return [...latest.values()].map(
      ({ id, environment, version, status, message, updatedAt }) => ({
        id,
        environment,
        version,
        status,
        message,
        updatedAt,
      }),
    );
  }
}

/**
 * Opens the demo's incidents with the real detectors. The deployment history
 * is replayed hour by hour over the seeded week, so the failed and rolled
 * back release of fraud-detection opens its incident when it happened and
 * resolves after the rollback, as it would have in a running portal; then
 * one ordinary pass over every source finds what is wrong now (the latency
 * spike on market-master, the OOMKilled run of ticket-classifier-training,
 * fraud-detection's drift). It must run after every other seeder.
 */
export async function seedDemoIncidents(options: {
  incidents: IncidentService;
  logger: LoggerService;
  /** The deployments seeded into this database, replayed when given. */
  deploymentsDb?: Knex;
  now?: Date;
}): Promise<void> {
  const { incidents, logger, deploymentsDb } = options;
  const now = (options.now ?? new Date()).getTime();
  let replayed = 0;
  if (
    deploymentsDb &&
    (await deploymentsDb.schema.hasTable('mlops_deployments'))
  ) {
    const since = now - DEMO_HISTORY_HOURS * HOUR;
    const history = await DeploymentsAsOf.load(deploymentsDb, since);
    const instants = history.instants();
    for (let t = since; t < now; t += HOUR) {
      instants.push(new Date(t));
    }
    const sorted = instants
      .filter(i => i.getTime() < now)
      .sort((a, b) => a.getTime() - b.getTime());
    // The as-of source follows the replay clock one instant at a time.
    for (const instant of sorted) {
      history.at = instant.getTime();
      replayed += await incidents.replay(
        { deployments: history },
        [instant],
        ['model'],
      );
    }
  }
  const { evaluated, opened } = await incidents.evaluateAll();
  logger.info(
    `Seeded MLOps demo incidents: ${replayed} from the replayed deployment history, ${opened} open now over ${evaluated} objects`,
  );
}
