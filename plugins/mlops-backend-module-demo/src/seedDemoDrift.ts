import { LoggerService } from '@backstage/backend-plugin-api';
import type {
  DriftService,
  ProductionVersionSource,
} from '@backstage-mlops/plugin-mlops-backend/src/drift/DriftService';
import type { DriftStore } from '@backstage-mlops/plugin-mlops-backend/src/drift/DriftStore';
import { SeededRandom } from '@backstage-mlops/plugin-mlops-common';

type DemoRow = Record<string, number | string | boolean>;

/**
 * How a demo model's features are distributed. `day` runs from 0 (a week
 * ago) to {@link DEMO_DRIFT_DAYS} − 1 (today); a generator that ignores it
 * stays stable. Feature names match the monitoring demo traffic, so
 * scheduled checks on monitored values line up with these baselines.
 */
type DemoProfile = (random: SeededRandom, day: number) => DemoRow;

function round(value: number, digits: number): number {
  const f = 10 ** digits;
  return Math.round(value * f) / f;
}

/** Number of daily reports seeded per model. */
export const DEMO_DRIFT_DAYS = 8;

const PROFILES: Record<string, DemoProfile> = {
  // Version 2's baseline predates a card-not-present fraud wave: amounts
  // were smaller and most cards were present. Over the week the windows move
  // to today's traffic, which is what the monitoring demo sends (log-mean
  // 3.6, 62% card present), so scheduled checks on monitored values keep
  // finding the same drift.
  'fraud-detection': (random, day) => {
    const wave = Math.min(1, Math.max(0, (day - 2) / 4));
    return {
      amount: round(random.logNormal(3.2 + 0.4 * wave, 1.1), 2),
      merchant_category: random.pick([
        'grocery',
        'travel',
        'online',
        'fuel',
        'restaurants',
      ]),
      card_present: random.next() < 0.8 - 0.18 * wave,
    };
  },
  'ticket-classifier': random => ({
    length_chars: Math.round(random.logNormal(5.5, 0.6)),
    channel: random.pick(['email', 'chat', 'web-form']),
  }),
  'market-master': random => ({
    returns_1d: round(random.normal(0, 0.01), 5),
    volume_z: round(random.normal(0, 1), 3),
  }),
};

const BASELINE_ROWS = 3000;
const WINDOW_ROWS = 1000;
const DAY_MS = 24 * 60 * 60 * 1000;

function generate(
  profile: DemoProfile,
  random: SeededRandom,
  rows: number,
  day: number,
): DemoRow[] {
  return Array.from({ length: rows }, () => profile(random, day));
}

/** What the demo seeder needs from the drift capability and the registry. */
export interface DemoDriftSources {
  drift: DriftService;
  store: DriftStore;
  /** Baselines go to the Production version when the registry names one. */
  registry?: ProductionVersionSource;
}

/**
 * Gives each demo model a reference baseline (for its Production version
 * when the registry names one) and a week of daily drift reports. The
 * verdicts are whatever the statistics compute from the generated data:
 * fraud-detection's amounts really shift, the other models' data does not.
 * Models that already have reports are left alone.
 */
export async function seedDemoDrift(
  options: DemoDriftSources & {
    models: string[];
    logger: LoggerService;
    now?: Date;
  },
): Promise<void> {
  const { drift, store, models, logger, registry } = options;
  const now = options.now ?? new Date();
  let reports = 0;
  for (const [index, model] of models.entries()) {
    const profile = PROFILES[model];
    if (!profile || (await store.countReports(model)) > 0) {
      continue;
    }
    const random = new SeededRandom(20261125 + index);
    const version = (await registry?.productionVersion(model))?.version ?? 1;
    await drift.putBaseline({
      model,
      version,
      data: generate(profile, random, BASELINE_ROWS, 0),
      replace: true,
      createdBy: 'user:default/guest',
    });
    for (let day = 0; day < DEMO_DRIFT_DAYS; day++) {
      await drift.checkModel({
        model,
        version,
        current: generate(profile, random, WINDOW_ROWS, day),
        source: 'schedule',
        windowMinutes: 24 * 60,
        now: new Date(now.getTime() - (DEMO_DRIFT_DAYS - 1 - day) * DAY_MS),
      });
      reports++;
    }
  }
  logger.info(`Seeded MLOps demo drift: ${reports} reports`);
}
