import { LoggerService } from '@backstage/backend-plugin-api';
import { Knex } from 'knex';
import { classifyFailureReason } from '@backstage-mlops/plugin-mlops-common';

const MINUTE = 60_000;
const DAY = 24 * 60 * MINUTE;

interface DemoPipeline {
  name: string;
  slaMinutes: number;
  /** Start times of the week's runs, newest last. */
  runTimes(now: Date): Date[];
  /** Minutes each stage takes, in stage order. */
  stageMinutes: number[];
}

/** UTC instants at hh:mm on the days before `now` that `keep` accepts. */
function dailyAt(
  now: Date,
  hour: number,
  minute: number,
  days: number,
  keep = (_d: Date) => true,
) {
  const times: Date[] = [];
  for (let back = days; back >= 0; back -= 1) {
    const t = new Date(now.getTime() - back * DAY);
    t.setUTCHours(hour, minute, 0, 0);
    if (t.getTime() < now.getTime() - 3 * 60 * MINUTE && keep(t)) {
      times.push(t);
    }
  }
  return times;
}

const weekday = (d: Date) => d.getUTCDay() >= 1 && d.getUTCDay() <= 5;

const DEMO: DemoPipeline[] = [
  {
    name: 'fraud-detection-training',
    slaMinutes: 26 * 60,
    runTimes: now => dailyAt(now, 2, 0, 7),
    stageMinutes: [4, 2, 38, 6, 1],
  },
  {
    name: 'ticket-classifier-training',
    slaMinutes: 8 * 24 * 60,
    // Weekly on Mondays; the demo shows the last two.
    runTimes: now => dailyAt(now, 4, 0, 14, d => d.getUTCDay() === 1).slice(-2),
    stageMinutes: [6, 9, 52, 7, 1],
  },
  {
    name: 'market-master-training',
    slaMinutes: 4 * 24 * 60,
    runTimes: now => dailyAt(now, 22, 30, 7, weekday),
    stageMinutes: [5, 11, 24, 5, 1, 3],
  },
];

// The newest ticket-classifier run dies in its train stage: the trainer pod
// was OOMKilled, which the triage guidance knows how to handle.
const OOM_REASON =
  'Task train failed: container "trainer" in pod ticket-classifier-training-train-7f9c4 terminated with reason OOMKilled (exit code 137); memory limit 8Gi';

/**
 * Seeds a week of runs for the demo pipelines that exist in the store, with
 * SLAs, a believable success history and one failed run with an OOMKilled
 * reason. Does nothing when any run is recorded already.
 */
export async function seedDemoPipelines(options: {
  db: Knex;
  logger: LoggerService;
  now?: Date;
}): Promise<void> {
  const { db, logger } = options;
  const now = options.now ?? new Date();
  const [{ n }] = await db('mlops_pipeline_runs').count({ n: '*' });
  if (Number(n) > 0) {
    return;
  }
  let count = 0;
  for (const demo of DEMO) {
    const definition = await db('mlops_pipelines')
      .where({ name: demo.name })
      .first();
    if (!definition) {
      continue;
    }
    if (
      definition.sla_minutes === null ||
      definition.sla_minutes === undefined
    ) {
      await db('mlops_pipelines')
        .where({ name: demo.name })
        .update({ sla_minutes: demo.slaMinutes });
    }
    const stages: string[] = JSON.parse(definition.stages ?? '[]');
    const times = demo.runTimes(now);
    for (const [index, scheduled] of times.entries()) {
      const failing =
        demo.name === 'ticket-classifier-training' &&
        index === times.length - 1;
      const started = new Date(scheduled.getTime() + 20_000);
      let cursor = started.getTime();
      const stageRows = stages.map((name, position) => {
        const minutes = demo.stageMinutes[position] ?? 2;
        // A little jitter so the week does not look machine-made.
        const took = (minutes + ((index * 7 + position * 3) % 5) - 2) * MINUTE;
        const begin = cursor;
        const failedHere = failing && name === 'train';
        const afterFailure = failing && stages.indexOf('train') < position;
        if (afterFailure) {
          return { name, position, state: 'CANCELLED' };
        }
        cursor += failedHere ? Math.round(took * 0.6) : Math.max(took, MINUTE);
        return {
          name,
          position,
          state: failedHere ? 'FAILED' : 'COMPLETED',
          started_at: new Date(begin),
          ended_at: new Date(cursor),
          failure_reason: failedHere ? OOM_REASON : null,
          failure_class: failedHere
            ? classifyFailureReason(OOM_REASON)[0]
            : null,
        };
      });
      const ended = new Date(cursor);
      const [row] = await db('mlops_pipeline_runs')
        .insert({
          pipeline_name: demo.name,
          state: failing ? 'FAILED' : 'COMPLETED',
          trigger: 'schedule',
          external_id: `demo-${demo.name}-${scheduled.toISOString()}`,
          scheduled_at: scheduled,
          started_at: started,
          ended_at: ended,
          heartbeat_at: ended,
          failure_reason: failing ? OOM_REASON : null,
          failure_class: failing ? classifyFailureReason(OOM_REASON)[0] : null,
          created_at: scheduled,
          updated_at: ended,
        })
        .returning('id');
      const runId = typeof row === 'object' ? row.id : row;
      if (stageRows.length > 0) {
        await db('mlops_pipeline_run_stages').insert(
          stageRows.map(s => ({ ...s, run_id: runId })),
        );
      }
      count += 1;
    }
  }
  logger.info(`Seeded ${count} demo pipeline runs`);
}
