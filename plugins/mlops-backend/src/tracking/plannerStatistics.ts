import { Knex } from 'knex';

/*
 * PostgreSQL plans run search from its planner statistics. A database that
 * was just filled (a bulk log-batch load, a source's first sync) has none
 * until autovacuum gets round to it, and the planner then guesses one row
 * per table: it walks every run of the experiment in nested loops and reads
 * a page's latest metrics by a sequential scan (188 + 88 ms for 5,000 runs
 * x 20 metrics, against 2 ms + 1 ms once analyzed). So the store refreshes
 * the statistics of the tracking tables itself, after it wrote many rows.
 *
 * An ordinary request only adds to a counter; the ANALYZE runs in the
 * background, one at a time, at most every MIN_INTERVAL_MS, and only after
 * the rows written since the last one reach a fifth of what was written
 * before it (at least MIN_ROWS), so a steadily growing store analyzes a
 * logarithmic number of times. SQLite is left alone: its run search fixes
 * the join order itself (runFilters.ts) and has no statistics to go stale.
 */

/** The tables run search plans over, which the writers fill. */
const TABLES = [
  'mlops_runs',
  'mlops_run_params',
  'mlops_run_tags',
  'mlops_run_latest_metrics',
  'mlops_run_metrics',
];

/** Rows written before the first refresh. */
export const MIN_ROWS = 10_000;
/** The shortest time between two refreshes. */
export const MIN_INTERVAL_MS = 5_000;
/** Growth since the last refresh, as a share of what was written before it. */
const GROWTH = 0.2;

/** Refreshes PostgreSQL's planner statistics of the tracking tables after large writes. */
export class PlannerStatistics {
  private pending = 0;
  private analyzedRows = 0;
  private lastRefresh = 0;
  private scheduled?: ReturnType<typeof setTimeout>;
  private running?: Promise<void>;
  private readonly enabled: boolean;

  constructor(
    private readonly db: Knex,
    private readonly options: { minRows?: number; minIntervalMs?: number } = {},
  ) {
    this.enabled = String(db.client.config.client) === 'pg';
  }

  /** Counts rows a committed write added or changed; may schedule a refresh. */
  noteWrittenRows(rows: number): void {
    if (!this.enabled) {
      return;
    }
    this.pending += rows;
    const threshold = Math.max(
      this.options.minRows ?? MIN_ROWS,
      this.analyzedRows * GROWTH,
    );
    if (this.pending < threshold || this.scheduled || this.running) {
      return;
    }
    const wait = Math.max(
      0,
      this.lastRefresh +
        (this.options.minIntervalMs ?? MIN_INTERVAL_MS) -
        Date.now(),
    );
    this.scheduled = setTimeout(() => {
      this.scheduled = undefined;
      this.running = this.refresh().finally(() => {
        this.running = undefined;
      });
    }, wait);
    this.scheduled.unref?.();
  }

  /** Resolves when a scheduled or running refresh has finished (for tests). */
  async settled(): Promise<void> {
    while (this.scheduled || this.running) {
      await (this.running ?? new Promise(r => setTimeout(r, 20)));
    }
  }

  private async refresh(): Promise<void> {
    const rows = this.pending;
    this.pending = 0;
    try {
      await this.db.raw(`analyze ${TABLES.join(', ')}`);
      this.analyzedRows += rows;
    } catch {
      // Statistics only make plans better; a failed refresh (the pool
      // closing at shutdown) leaves the rows counted for the next one.
      this.pending += rows;
    } finally {
      this.lastRefresh = Date.now();
    }
  }
}

const perDatabase = new WeakMap<Knex, PlannerStatistics>();

/** The one refresher of a database, shared by the store and the source mirror. */
export function plannerStatisticsFor(db: Knex): PlannerStatistics {
  let statistics = perDatabase.get(db);
  if (!statistics) {
    statistics = new PlannerStatistics(db);
    perDatabase.set(db, statistics);
  }
  return statistics;
}
