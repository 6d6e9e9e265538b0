import { LoggerService } from '@backstage/backend-plugin-api';
import { ModelStage } from '@backstage-mlops/plugin-mlops-common';
import type { TrackingStore } from '@backstage-mlops/plugin-mlops-backend/src/tracking';
import type {
  RegistryStore,
  RunSnapshot,
} from '@backstage-mlops/plugin-mlops-backend/src/registry/RegistryStore';

/** A step of a demo model's story, applied in order. */
type DemoStep =
  | { create: RunSnapshot; description: string }
  | { stage: ModelStage; version: number; reason: string; archive?: boolean }
  | { alias: string; version: number }
  | { rollback: string };

/**
 * A version of a demo model: registered with its description, metrics and
 * params, then moved through `stages` (with `archive`, the version it
 * replaces in that stage is archived), then, with `rollback`, the model is
 * rolled back for that reason.
 */
interface DemoVersion {
  description: string;
  metrics: Record<string, number>;
  params: Record<string, string>;
  stages?: Array<{ stage: ModelStage; reason: string; archive?: true }>;
  rollback?: string;
}

/** A demo model's versions in the order they are registered, and its aliases. */
interface DemoModelStory {
  actor: string;
  versions: DemoVersion[];
  champion: number;
  challenger: number;
}

const DAY = 24 * 60 * 60 * 1000;

// Each story ends with a version in every stage, champion and challenger
// aliases, and fraud-detection's history shows a rollback.
const STORIES: Record<string, DemoModelStory> = {
  'fraud-detection': {
    actor: 'user:default/ada',
    versions: [
      {
        description: 'First gradient-boosted model on card transactions',
        metrics: {
          auc: 0.912,
          precision: 0.81,
          recall: 0.74,
          val_loss: 0.241,
          latency_p95_ms: 38,
        },
        params: {
          model: 'xgboost',
          max_depth: '6',
          learning_rate: '0.1',
          n_estimators: '300',
        },
        stages: [
          {
            stage: 'Production',
            reason: 'First release after shadow traffic week',
          },
        ],
      },
      {
        description: 'Deeper trees, merchant category features',
        metrics: {
          auc: 0.927,
          precision: 0.84,
          recall: 0.77,
          val_loss: 0.226,
          latency_p95_ms: 41,
        },
        params: {
          model: 'xgboost',
          max_depth: '8',
          learning_rate: '0.1',
          n_estimators: '400',
        },
        stages: [
          { stage: 'Staging', reason: 'Canary on 5% of traffic' },
          {
            stage: 'Production',
            reason: 'Canary precision up 3 points',
            archive: true,
          },
        ],
      },
      {
        description: 'LightGBM with device fingerprint features',
        metrics: {
          auc: 0.934,
          precision: 0.79,
          recall: 0.83,
          val_loss: 0.219,
          latency_p95_ms: 57,
        },
        params: {
          model: 'lightgbm',
          num_leaves: '127',
          learning_rate: '0.05',
          n_estimators: '800',
        },
        stages: [
          {
            stage: 'Production',
            reason: 'Best offline AUC so far',
            archive: true,
          },
        ],
        rollback:
          'False positives doubled on weekend traffic; back to version 2 while the device features are checked',
      },
      {
        description: 'Device features recalibrated on weekend data',
        metrics: {
          auc: 0.931,
          precision: 0.85,
          recall: 0.8,
          val_loss: 0.221,
          latency_p95_ms: 44,
        },
        params: {
          model: 'lightgbm',
          num_leaves: '63',
          learning_rate: '0.05',
          n_estimators: '600',
        },
        stages: [
          {
            stage: 'Staging',
            reason: 'Replay of the weekend incident traffic',
          },
        ],
      },
      {
        description: 'Nightly retrain',
        metrics: {
          auc: 0.929,
          precision: 0.86,
          recall: 0.78,
          val_loss: 0.223,
          latency_p95_ms: 36,
        },
        params: {
          model: 'lightgbm',
          num_leaves: '63',
          learning_rate: '0.05',
          n_estimators: '500',
        },
      },
    ],
    champion: 2,
    challenger: 4,
  },
  'ticket-classifier': {
    actor: 'user:default/lin',
    versions: [
      {
        description: 'DistilBERT fine-tuned on two years of tickets',
        metrics: { accuracy: 0.842, macro_f1: 0.79, val_loss: 0.512 },
        params: { model: 'distilbert', epochs: '3', max_length: '256' },
        stages: [{ stage: 'Production', reason: 'Replaces the keyword rules' }],
      },
      {
        description: 'Longer context, billing queue relabelled',
        metrics: { accuracy: 0.871, macro_f1: 0.83, val_loss: 0.447 },
        params: { model: 'distilbert', epochs: '4', max_length: '384' },
        stages: [
          {
            stage: 'Production',
            reason: 'Macro F1 up 4 points on the holdout',
            archive: true,
          },
        ],
      },
      {
        description: 'DeBERTa small',
        metrics: { accuracy: 0.876, macro_f1: 0.85, val_loss: 0.431 },
        params: { model: 'deberta-v3-small', epochs: '4', max_length: '384' },
        stages: [
          { stage: 'Staging', reason: 'A/B test with the support leads' },
        ],
      },
      {
        description: 'Weekly retrain',
        metrics: { accuracy: 0.869, macro_f1: 0.84, val_loss: 0.438 },
        params: { model: 'deberta-v3-small', epochs: '5', max_length: '512' },
      },
    ],
    champion: 2,
    challenger: 3,
  },
  'market-master': {
    actor: 'user:default/sam',
    versions: [
      {
        description: 'LSTM on 30-day price and volume windows',
        metrics: { accuracy: 0.548, log_loss: 0.688, sharpe: 0.9 },
        params: { model: 'lstm', window: '30', hidden: '64' },
        stages: [{ stage: 'Production', reason: 'Paper trading met the bar' }],
      },
      {
        description: 'Longer window, volatility features',
        metrics: { accuracy: 0.561, log_loss: 0.681, sharpe: 1.2 },
        params: { model: 'lstm', window: '60', hidden: '128' },
        stages: [
          {
            stage: 'Production',
            reason: 'Sharpe 1.2 over the last quarter',
            archive: true,
          },
        ],
      },
      {
        description: 'Temporal fusion transformer',
        metrics: { accuracy: 0.566, log_loss: 0.679, sharpe: 1.1 },
        params: { model: 'temporal-fusion', window: '60', hidden: '128' },
        stages: [
          { stage: 'Staging', reason: 'Shadow predictions for two weeks' },
        ],
      },
      {
        description: 'Nightly retrain with a 90-day window',
        metrics: { accuracy: 0.559, log_loss: 0.682, sharpe: 1.0 },
        params: { model: 'temporal-fusion', window: '90', hidden: '128' },
      },
    ],
    champion: 2,
    challenger: 3,
  },
};

/**
 * A story as the steps it is applied in: each version registered, then its
 * stage moves and rollback, then the two aliases set.
 */
function stepsOf(story: DemoModelStory): DemoStep[] {
  return [
    ...story.versions.flatMap((v, index): DemoStep[] => [
      {
        create: { metrics: v.metrics, params: v.params },
        description: v.description,
      },
      ...(v.stages ?? []).map(({ stage, reason, archive }) => ({
        stage,
        version: index + 1,
        reason,
        ...(archive ? { archive } : {}),
      })),
      ...(v.rollback ? [{ rollback: v.rollback }] : []),
    ]),
    { alias: 'champion', version: story.champion },
    { alias: 'challenger', version: story.challenger },
  ];
}

/** The experiment's finished runs, oldest first. */
async function finishedRunIds(
  tracking: Pick<TrackingStore, 'searchRuns'>,
  experiment: string,
): Promise<string[]> {
  const { runs } = await tracking.searchRuns({
    experimentNames: [experiment],
    filter: [{ type: 'status', op: '=', value: 'FINISHED' }],
    pageSize: 100,
    includeDeleted: false,
  });
  return runs
    .slice()
    .sort((a, b) => Date.parse(a.startTime) - Date.parse(b.startTime))
    .map(r => r.id);
}

/**
 * Fills the registry with the demo models' versions: each model has
 * versions in every stage, `champion` and `challenger` aliases, and
 * fraud-detection's history holds a rollback. The steps are spread over the
 * past weeks so the history reads like one. With tracking, each version
 * comes from one of the finished demo runs of the model's experiment, oldest
 * first, and copies its params and metrics as a real registration would.
 * Models that already have versions are left alone.
 */
export async function seedDemoRegistry(options: {
  registry: RegistryStore;
  models: string[];
  logger: LoggerService;
  /** The demo runs to build versions from (seeded before the registry). */
  tracking?: Pick<TrackingStore, 'searchRuns' | 'getRunSnapshot'>;
  now?: Date;
}): Promise<void> {
  const { registry, logger } = options;
  const end = (options.now ?? new Date()).getTime();
  let seeded = 0;
  for (const name of options.models) {
    const story = STORIES[name];
    const model = story && (await registry.findModel(name));
    if (!story || !model || model.latestVersion > 0) {
      continue;
    }
    const runIds =
      options.tracking && model.experimentName
        ? await finishedRunIds(options.tracking, model.experimentName)
        : [];
    const steps = stepsOf(story);
    let clock = end - steps.length * 2 * DAY;
    const store = registry.withClock(() => new Date(clock));
    let created = 0;
    for (const step of steps) {
      clock += 2 * DAY - 3 * 60 * 60 * 1000;
      if ('create' in step) {
        const runId: string | undefined = runIds[created];
        const run = runId
          ? await options.tracking!.getRunSnapshot(runId)
          : undefined;
        await store.createVersion(
          name,
          {
            runId: run ? runId : undefined,
            artifactUri: `s3://mlops-demo-models/${name}/${created + 1}/model`,
            description: step.description,
          },
          run ? { metrics: run.metrics, params: run.params } : step.create,
          story.actor,
        );
        created++;
      } else if ('stage' in step) {
        await store.transitionStage(
          name,
          step.version,
          {
            stage: step.stage,
            archiveExisting: step.archive,
            reason: step.reason,
          },
          story.actor,
        );
      } else if ('alias' in step) {
        await store.setAlias(name, step.alias, step.version, story.actor);
      } else {
        await store.rollback(name, step.rollback, story.actor);
      }
    }
    seeded++;
  }
  if (seeded > 0) {
    logger.info(`Seeded MLOps demo registry: versions for ${seeded} models`);
  }
}
