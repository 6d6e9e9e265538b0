import { LoggerService } from '@backstage/backend-plugin-api';
import { Knex } from 'knex';

const HOUR = 60 * 60 * 1000;

interface DemoDeployment {
  model: string;
  version: number;
  environment: string;
  /** Hours before now the deployment was requested. */
  hoursAgo: number;
  /** Minutes it took to finish. */
  minutes: number;
  outcome: 'succeeded' | 'failed';
  message: string;
  rolledBack?: boolean;
  rollbackReason?: string;
}

// A believable week: each model promoted through staging to production, and
// one bad release of fraud-detection that failed in production and was
// rolled back to the version that ran there before.
const DEMO: DemoDeployment[] = [
  ok(
    'fraud-detection',
    2,
    'staging',
    160,
    6,
    'Rollout complete: 2/2 replicas ready',
  ),
  ok(
    'fraud-detection',
    2,
    'production',
    150,
    9,
    'Rollout complete: 6/6 replicas ready',
  ),
  ok(
    'ticket-classifier',
    2,
    'production',
    130,
    7,
    'Rollout complete: 3/3 replicas ready',
  ),
  ok(
    'market-master',
    2,
    'production',
    120,
    8,
    'Rollout complete: 4/4 replicas ready',
  ),
  ok(
    'ticket-classifier',
    3,
    'staging',
    110,
    4,
    'Rollout complete: 1/1 replicas ready',
  ),
  ok(
    'market-master',
    3,
    'staging',
    96,
    5,
    'Rollout complete: 2/2 replicas ready',
  ),
  ok(
    'fraud-detection',
    3,
    'staging',
    60,
    6,
    'Rollout complete: 2/2 replicas ready',
  ),
  {
    model: 'fraud-detection',
    version: 3,
    environment: 'production',
    hoursAgo: 30,
    minutes: 15,
    outcome: 'failed',
    message:
      'Rollout aborted: Readiness probe failed: HTTP probe failed with statuscode: 503 on 3/6 new pods',
    rolledBack: true,
    rollbackReason:
      'Version 3 never became ready in production; back to version 2 while risk-ml checks the device features',
  },
  ok(
    'fraud-detection',
    4,
    'staging',
    20,
    6,
    'Rollout complete: 2/2 replicas ready',
  ),
];

function ok(
  model: string,
  version: number,
  environment: string,
  hoursAgo: number,
  minutes: number,
  message: string,
): DemoDeployment {
  return {
    model,
    version,
    environment,
    hoursAgo,
    minutes,
    outcome: 'succeeded',
    message,
  };
}

/**
 * Seeds a week of deployment history for the demo models that exist in the
 * store. Does nothing when any deployment is recorded already, so a restart
 * never adds a second week.
 */
export async function seedDemoDeployments(options: {
  db: Knex;
  logger: LoggerService;
  now?: Date;
}): Promise<void> {
  const { db, logger } = options;
  const now = (options.now ?? new Date()).getTime();
  const [{ n }] = await db('mlops_deployments').count({ n: '*' });
  if (Number(n) > 0) {
    return;
  }
  const known = new Set<string>(
    await db('mlops_registered_models').pluck('name'),
  );
  let count = 0;
  for (const d of DEMO) {
    if (!known.has(d.model)) {
      continue;
    }
    const created = new Date(now - d.hoursAgo * HOUR);
    const started = new Date(created.getTime() + 30_000);
    const finished = new Date(created.getTime() + d.minutes * 60_000);
    const [row] = await db('mlops_deployments')
      .insert({
        model_name: d.model,
        version: d.version,
        environment: d.environment,
        target: 'record',
        status: d.rolledBack ? 'rolled_back' : d.outcome,
        active: null,
        message: d.message,
        requested_by: 'user:default/guest',
        created_at: created,
        updated_at: d.rolledBack
          ? new Date(finished.getTime() + 20 * 60_000)
          : finished,
        started_at: started,
        finished_at: finished,
        succeeded_at: d.outcome === 'succeeded' ? finished : null,
      })
      .returning('id');
    count += 1;
    if (d.rolledBack) {
      const previous = [...DEMO]
        .reverse()
        .find(
          p =>
            p.model === d.model &&
            p.environment === d.environment &&
            p.outcome === 'succeeded' &&
            p.hoursAgo > d.hoursAgo,
        );
      if (!previous) {
        continue;
      }
      const rbCreated = new Date(finished.getTime() + 20 * 60_000);
      const rbFinished = new Date(rbCreated.getTime() + 8 * 60_000);
      await db('mlops_deployments').insert({
        model_name: d.model,
        version: previous.version,
        environment: d.environment,
        target: 'record',
        status: 'succeeded',
        active: null,
        message: 'Rollout complete: 6/6 replicas ready',
        requested_by: 'user:default/guest',
        rollback_of: Number(typeof row === 'object' ? row.id : row),
        reason: d.rollbackReason ?? null,
        created_at: rbCreated,
        updated_at: rbFinished,
        started_at: new Date(rbCreated.getTime() + 30_000),
        finished_at: rbFinished,
        succeeded_at: rbFinished,
      });
      count += 1;
    }
  }
  logger.info(`Seeded ${count} demo deployments`);
}
