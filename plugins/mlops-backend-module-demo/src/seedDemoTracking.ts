import { LoggerService } from '@backstage/backend-plugin-api';
import type {
  MetricMeasurement,
  TrackingStore,
} from '@backstage-mlops/plugin-mlops-backend/src/tracking/TrackingStore';

/** How one demo experiment trains: its params and how its curves move. */
interface DemoRecipe {
  source: string;
  steps: number;
  /** Params of run i (of `count`); the last one is the failed run. */
  params: (i: number) => Record<string, string>;
  /** Final loss and accuracy-like scores a run converges to, by its quality (0..1). */
  finalLoss: (quality: number) => number;
  finalAccuracy: (quality: number) => number;
  finalAuc: (quality: number) => number;
  failure: string;
}

const RECIPES: Record<string, DemoRecipe> = {
  'fraud-detection': {
    source: 'training/train_gbm.py',
    steps: 40,
    params: i => ({
      learning_rate: ['0.05', '0.1', '0.03', '0.08', '0.1', '0.6'][i % 6],
      max_depth: ['6', '8', '6', '10', '7', '12'][i % 6],
      n_estimators: '400',
      subsample: ['0.8', '0.8', '0.9', '0.7', '0.85', '1.0'][i % 6],
      class_weight: 'balanced',
    }),
    finalLoss: q => 0.16 - 0.06 * q,
    finalAccuracy: q => 0.955 + 0.03 * q,
    finalAuc: q => 0.91 + 0.06 * q,
    failure: 'Training diverged: loss became NaN at boosting round 9',
  },
  'ticket-classifier': {
    source: 'notebooks/finetune_distilbert.py',
    steps: 24,
    params: i => ({
      learning_rate: ['3e-5', '5e-5', '2e-5', '4e-5', '3e-5', '5e-5'][i % 6],
      batch_size: ['32', '32', '16', '64', '32', '128'][i % 6],
      epochs: '4',
      warmup_ratio: ['0.1', '0.06', '0.1', '0.1', '0.08', '0.1'][i % 6],
      max_seq_length: '256',
    }),
    finalLoss: q => 0.55 - 0.2 * q,
    finalAccuracy: q => 0.84 + 0.07 * q,
    finalAuc: q => 0.9 + 0.06 * q,
    failure: 'CUDA out of memory: tried to allocate 2.00 GiB (batch_size 128)',
  },
  'market-master': {
    source: 'pipelines/train_lstm.py',
    steps: 30,
    params: i => ({
      hidden_size: ['64', '128', '128', '256', '96', '512'][i % 6],
      dropout: ['0.2', '0.3', '0.1', '0.3', '0.25', '0.0'][i % 6],
      learning_rate: ['1e-3', '5e-4', '1e-3', '3e-4', '7e-4', '1e-2'][i % 6],
      window_days: ['30', '60', '30', '90', '45', '120'][i % 6],
    }),
    finalLoss: q => 0.68 - 0.04 * q,
    finalAccuracy: q => 0.53 + 0.06 * q,
    finalAuc: q => 0.55 + 0.07 * q,
    failure: 'Worker OOMKilled while building the 120-day feature window',
  },
};

/** A deterministic generator, so every fresh demo shows the same curves. */
function random(seed: number): () => number {
  let state = seed >>> 0;
  return () => {
    state = (state + 0x6d2b79f5) >>> 0;
    let t = state;
    t = Math.imul(t ^ (t >>> 15), t | 1);
    t ^= t + Math.imul(t ^ (t >>> 7), t | 61);
    return ((t ^ (t >>> 14)) >>> 0) / 4294967296;
  };
}

function seedOf(text: string): number {
  let hash = 2166136261;
  for (const char of text) {
    hash = Math.imul(hash ^ char.charCodeAt(0), 16777619);
  }
  return hash >>> 0;
}

const RUNS_PER_EXPERIMENT = 6;

// Members of the owning teams in examples/org.yaml take turns.
const DEMO_USERS: Record<string, string[]> = {
  'fraud-detection': ['user:default/ada', 'user:default/lin'],
  'ticket-classifier': ['user:default/sam', 'user:default/guest'],
  'market-master': ['user:default/lin', 'user:default/ada'],
};
const HOUR = 3_600_000;

/**
 * Fills the demo experiments with runs: five finished runs of different
 * quality and one failed run, each with params and metric histories over
 * training steps (loss falling, accuracy and AUC rising, with noise), so the
 * runs card and run comparison have something believable to show.
 * Experiments that already have runs are left alone.
 */
export async function seedDemoTracking(options: {
  tracking: TrackingStore;
  experiments: string[];
  logger: LoggerService;
  /** The time the newest run started; now by default. */
  now?: number;
}): Promise<void> {
  const { tracking, experiments, logger } = options;
  const now = options.now ?? Date.now();
  let seeded = 0;
  for (const name of experiments) {
    const experiment = await tracking.findExperimentByName(name);
    if (!experiment) {
      continue;
    }
    const existing = await tracking.searchRuns({
      experimentIds: [experiment.id],
      filter: [],
      pageSize: 1,
      includeDeleted: true,
    });
    if (existing.runs.length > 0) {
      continue;
    }
    const recipe = RECIPES[name] ?? RECIPES['fraud-detection'];
    const rand = random(seedOf(name));
    for (let i = 0; i < RUNS_PER_EXPERIMENT; i++) {
      const failed = i === RUNS_PER_EXPERIMENT - 1;
      // Later runs are tuned better, with some luck either way.
      const quality = Math.min(
        1,
        Math.max(0, (i / (RUNS_PER_EXPERIMENT - 2)) * 0.8 + rand() * 0.3),
      );
      // Oldest first, two days apart; the failed run is the most recent.
      const startTime =
        now -
        (RUNS_PER_EXPERIMENT - i) * 2 * 24 * HOUR +
        Math.floor(rand() * HOUR);
      const run = await tracking.createRun({
        experimentId: experiment.id,
        name: failed
          ? `${name}-tuning-${i + 1}`
          : `${name}-${
              ['baseline', 'tuned', 'wider', 'deeper', 'candidate'][i] ??
              `run-${i + 1}`
            }`,
        status: 'RUNNING',
        startTime,
        user: DEMO_USERS[name]?.[i % 2] ?? 'user:default/guest',
        source: recipe.source,
        tags: {
          'mlflow.source.git.commit': (seedOf(`${name}${i}`) >>> 0)
            .toString(16)
            .padStart(8, '0'),
        },
      });

      const steps = failed ? 9 : recipe.steps;
      const stepMs = ((failed ? 4 : 60) * 60_000) / recipe.steps;
      const metrics: MetricMeasurement[] = [];
      const finalLoss = recipe.finalLoss(quality);
      const startLoss = finalLoss * 4 + 0.3;
      const tau = recipe.steps / 5;
      for (let step = 0; step < steps; step++) {
        const timestamp = startTime + Math.round((step + 1) * stepMs);
        const decay = Math.exp(-step / tau);
        const noise = () => (rand() - 0.5) * 0.02;
        let loss = finalLoss + (startLoss - finalLoss) * decay + noise();
        if (failed && step >= 5) {
          // A learning rate too high: the loss blows up, then goes NaN.
          loss = step === steps - 1 ? NaN : loss * 3 ** (step - 4);
        }
        const collapsed = failed && step >= 5;
        const valLoss = Number.isNaN(loss)
          ? NaN
          : loss * (1.05 + 0.1 * (1 - quality)) + noise();
        const accuracy = collapsed
          ? 0.5 + noise()
          : recipe.finalAccuracy(quality) -
            (recipe.finalAccuracy(quality) - 0.5) * decay +
            noise();
        const auc =
          recipe.finalAuc(quality) -
          (recipe.finalAuc(quality) - 0.5) * decay +
          noise();
        metrics.push(
          { key: 'train_loss', value: round(loss), step, timestamp },
          { key: 'val_loss', value: round(valLoss), step, timestamp },
          {
            key: 'val_accuracy',
            value: round(Math.min(0.999, accuracy)),
            step,
            timestamp,
          },
          {
            key: 'val_auc',
            value: round(Math.min(0.999, auc)),
            step,
            timestamp,
          },
        );
      }
      const params = Object.entries(recipe.params(i)).map(([key, value]) => ({
        key,
        value,
      }));
      await tracking.logBatch(run.id, {
        metrics,
        params,
        tags: failed ? [{ key: 'failure_reason', value: recipe.failure }] : [],
      });
      await tracking.updateRun(run.id, {
        status: failed ? 'FAILED' : 'FINISHED',
        endTime: startTime + Math.round(steps * stepMs) + 60_000,
      });
      seeded += 1;
    }
  }
  if (seeded > 0) {
    logger.info(`Seeded MLOps demo tracking data: ${seeded} runs`);
  }
}

function round(value: number): number {
  return Number.isFinite(value) ? Math.round(value * 10_000) / 10_000 : value;
}
