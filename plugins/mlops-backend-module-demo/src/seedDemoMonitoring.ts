import { LoggerService } from '@backstage/backend-plugin-api';
import type { MonitoringStore } from '@backstage-mlops/plugin-mlops-backend/src/monitoring/MonitoringStore';
import type {
  FeatureValue,
  PredictionEvent,
} from '@backstage-mlops/plugin-mlops-backend/src/monitoring/types';

interface TrafficProfile {
  /** Mean predictions per minute at the daily peak. */
  peakPerMinute: number;
  /** Median latency in ms and the spread of its log. */
  medianLatencyMs: number;
  latencySigma: number;
  errorRate: number;
  accuracy: number;
  /** Share of predictions whose ground truth comes back. */
  labelShare: number;
  classes: string[];
  features: (
    random: () => number,
    hoursAgo: number,
  ) => Record<string, FeatureValue>;
}

const DAY_MINUTES = 24 * 60;

const PROFILES: Record<string, TrafficProfile> = {
  'fraud-detection': {
    peakPerMinute: 4,
    medianLatencyMs: 35,
    latencySigma: 0.35,
    errorRate: 0.003,
    accuracy: 0.962,
    labelShare: 0.3,
    classes: ['legit', 'fraud'],
    features: random => ({
      amount: round(Math.exp(3.6 + 1.1 * gaussian(random)), 2),
      merchant_category: pick(random, [
        'grocery',
        'travel',
        'online',
        'fuel',
        'restaurants',
      ]),
      card_present: random() < 0.62,
    }),
  },
  'ticket-classifier': {
    peakPerMinute: 2,
    medianLatencyMs: 120,
    latencySigma: 0.3,
    errorRate: 0.008,
    accuracy: 0.88,
    labelShare: 0.5,
    classes: ['billing', 'bug', 'account', 'feature-request'],
    features: random => ({
      length_chars: Math.round(Math.exp(5.5 + 0.6 * gaussian(random))),
      channel: pick(random, ['email', 'chat', 'web-form']),
    }),
  },
  'market-master': {
    peakPerMinute: 1.5,
    medianLatencyMs: 60,
    latencySigma: 0.25,
    errorRate: 0.004,
    accuracy: 0.71,
    labelShare: 0.8,
    classes: ['up', 'down'],
    // Volume runs hot during the market event of the last hours.
    features: (random, hoursAgo) => ({
      returns_1d: round(0.01 * gaussian(random), 5),
      volume_z: round(gaussian(random) + (hoursAgo < 4 ? 1.8 : 0), 3),
    }),
  },
};

/** Hours before now during which market-master's latency spikes. */
export const DEMO_LATENCY_SPIKE_HOURS = 3;

/**
 * Fills the monitoring store with a week of believable traffic for the demo
 * models, through the same ingest path as the HTTP route: daily seasonality,
 * a small staging share, labels coming back for part of the predictions, and
 * a latency spike (with some errors) on market-master in the last hours.
 * The random source is seeded, so every demo looks the same.
 */
export async function seedDemoMonitoring(options: {
  store: MonitoringStore;
  models: string[];
  logger: LoggerService;
  now?: number;
}): Promise<void> {
  const { store, models, logger } = options;
  const now = options.now ?? Date.now();
  const random = mulberry32(20261125);
  const nowMinute = Math.floor(now / 60_000);
  let total = 0;
  for (const model of models) {
    const profile = PROFILES[model];
    if (!profile) {
      continue;
    }
    let batch: PredictionEvent[] = [];
    let sequence = 0;
    for (let ago = 7 * DAY_MINUTES - 1; ago >= 0; ago--) {
      const minute = nowMinute - ago;
      const hourOfDay = Math.floor((minute % DAY_MINUTES) / 60);
      // Quiet nights, busy afternoons (UTC).
      const seasonal =
        0.35 +
        0.65 * Math.max(0, Math.sin(((hourOfDay - 6) / 24) * 2 * Math.PI));
      const count = poisson(random, profile.peakPerMinute * seasonal);
      const spiking =
        model === 'market-master' && ago < DEMO_LATENCY_SPIKE_HOURS * 60;
      for (let i = 0; i < count; i++) {
        const environment = random() < 0.1 ? 'staging' : 'production';
        const latencyMs =
          profile.medianLatencyMs *
          (spiking ? 11 : 1) *
          Math.exp(profile.latencySigma * gaussian(random));
        const failed = random() < (spiking ? 0.03 : profile.errorRate);
        const truth = pick(random, profile.classes);
        const right = random() < profile.accuracy;
        const prediction = right
          ? truth
          : pick(
              random,
              profile.classes.filter(c => c !== truth),
            );
        batch.push({
          id: `demo-${model}-${sequence++}`,
          timestampMs: minute * 60_000 + Math.floor(random() * 60_000),
          environment,
          modelVersion: environment === 'production' ? '3' : '4',
          latencyMs: round(latencyMs, 2),
          status: failed ? 'error' : 'ok',
          prediction: failed ? null : prediction,
          confidence: failed ? null : round(0.55 + 0.44 * random(), 3),
          label: !failed && random() < profile.labelShare ? truth : undefined,
          // Drift checks look at recent windows; older events skip features
          // to keep the seed quick.
          features:
            ago < 2 * DAY_MINUTES
              ? profile.features(random, ago / 60)
              : undefined,
        });
      }
      if (batch.length >= 5000) {
        total += (await store.ingest(model, batch, now)).accepted;
        batch = [];
      }
    }
    if (batch.length > 0) {
      total += (await store.ingest(model, batch, now)).accepted;
    }
  }
  logger.info(
    `Seeded MLOps demo monitoring: ${total} prediction events over 7 days`,
  );
}

function mulberry32(seed: number): () => number {
  let a = seed >>> 0;
  return () => {
    a = (a + 0x6d2b79f5) >>> 0;
    let t = a;
    t = Math.imul(t ^ (t >>> 15), t | 1);
    t ^= t + Math.imul(t ^ (t >>> 7), t | 61);
    return ((t ^ (t >>> 14)) >>> 0) / 4294967296;
  };
}

function gaussian(random: () => number): number {
  const u = Math.max(random(), 1e-12);
  return Math.sqrt(-2 * Math.log(u)) * Math.cos(2 * Math.PI * random());
}

function poisson(random: () => number, mean: number): number {
  const limit = Math.exp(-mean);
  let k = 0;
  let p = random();
  while (p > limit) {
    k += 1;
    p *= random();
  }
  return k;
}

function pick<T>(random: () => number, items: T[]): T {
  return items[Math.floor(random() * items.length)];
}

function round(value: number, digits: number): number {
  const f = 10 ** digits;
  return Math.round(value * f) / f;
}
