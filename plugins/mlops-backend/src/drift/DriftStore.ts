import { ConflictError } from '@backstage/errors';
import {
  DriftBaselineSummary,
  DriftHistoryPoint,
  DriftSkippedFeature,
  StoredDriftReport,
} from '@backstage-mlops/plugin-mlops-common';
import { Knex } from 'knex';
import { promisify } from 'util';
import { gunzip, gzip } from 'zlib';
import { ColumnarDataset, FeatureSummary } from './dataset';
import { inChunks, readRequiredIso } from '../database/values';

const gzipAsync = promisify(gzip);
const gunzipAsync = promisify(gunzip);

const BASELINES = 'mlops_drift_baselines';
const REPORTS = 'mlops_drift_reports';

/** What is known about a stored reference baseline, without its data. */
export type BaselineSummary = DriftBaselineSummary;
/** A feature left out of a check, and why. */
export type SkippedFeature = DriftSkippedFeature;
/** Where the current window of a stored report came from. */
export type DriftReportSource = StoredDriftReport['source'];
export type { DriftHistoryPoint, StoredDriftReport };

/** A report's verdict without its per-feature results. */
export interface DriftVerdict {
  id: string;
  datasetDrift: boolean;
  driftShare: number;
  driftedFeatures: string[];
  createdAt: string;
}

function reportFromRow(row: any): StoredDriftReport {
  return {
    id: row.id,
    model: row.model_name,
    version: Number(row.model_version),
    source: row.source,
    datasetDrift: Boolean(row.dataset_drift),
    driftShare: Number(row.drift_share),
    driftedCount: Number(row.drifted_count),
    featureCount: Number(row.feature_count),
    driftShareThreshold: Number(row.drift_share_threshold),
    driftedFeatures: JSON.parse(row.drifted_features),
    features: JSON.parse(row.features),
    skippedFeatures: JSON.parse(row.skipped_features),
    quality: JSON.parse(row.quality),
    referenceRows: Number(row.reference_rows),
    currentRows: Number(row.current_rows),
    windowMinutes:
      row.window_minutes === null || row.window_minutes === undefined
        ? null
        : Number(row.window_minutes),
    createdAt: readRequiredIso(row.created_at),
  };
}

/**
 * Keeps reference baselines (gzip-compressed columns) and drift reports in
 * the plugin's database.
 */
export class DriftStore {
  constructor(private readonly db: Knex) {}

  /** Whether the registry knows a model of this name. */
  async modelExists(model: string): Promise<boolean> {
    const row = await this.db('mlops_registered_models')
      .where({ name: model })
      .first('id');
    return row !== undefined;
  }

  /**
   * Stores the baseline of a model version. An existing baseline is only
   * replaced when `replace` is set, so an accidental second upload cannot
   * silently move the reference every check compares with.
   *
   * @returns whether an existing baseline was replaced
   */
  async putBaseline(options: {
    model: string;
    version: number;
    columns: ColumnarDataset;
    rowCount: number;
    features: FeatureSummary[];
    createdBy?: string;
    replace: boolean;
    now?: Date;
  }): Promise<{ replaced: boolean; storedBytes: number }> {
    const data = await gzipAsync(Buffer.from(JSON.stringify(options.columns)));
    const row = {
      model_name: options.model,
      model_version: options.version,
      row_count: options.rowCount,
      feature_count: options.features.length,
      data,
      summary: JSON.stringify(options.features),
      created_by: options.createdBy ?? null,
      created_at: options.now ?? new Date(),
    };
    return await this.db.transaction(async tx => {
      const existing = await tx(BASELINES)
        .where({ model_name: options.model, model_version: options.version })
        .first('id');
      if (existing && !options.replace) {
        throw new ConflictError(
          `Model ${options.model} version ${options.version} already has a baseline; send replace=true to replace it`,
        );
      }
      if (existing) {
        await tx(BASELINES).where({ id: existing.id }).update(row);
      } else {
        await tx(BASELINES).insert(row);
      }
      return { replaced: Boolean(existing), storedBytes: data.length };
    });
  }

  async getBaselineSummary(
    model: string,
    version: number,
  ): Promise<BaselineSummary | undefined> {
    const row = await this.db(BASELINES)
      .where({ model_name: model, model_version: version })
      .first(
        'model_name',
        'model_version',
        'row_count',
        'feature_count',
        'summary',
        'created_by',
        'created_at',
        // Only the length: the summary route never inflates the data;
        // length() counts bytes of a blob in SQLite and of bytea in PostgreSQL.
        this.db.raw('length(data) as stored_bytes'),
      );
    if (!row) {
      return undefined;
    }
    return {
      model: row.model_name,
      version: Number(row.model_version),
      rowCount: Number(row.row_count),
      featureCount: Number(row.feature_count),
      features: JSON.parse(row.summary),
      storedBytes: Number(row.stored_bytes),
      createdBy: row.created_by ?? undefined,
      createdAt: readRequiredIso(row.created_at),
    };
  }

  /** The stored reference data of a model version. */
  async getBaselineData(
    model: string,
    version: number,
  ): Promise<{ columns: ColumnarDataset; rowCount: number } | undefined> {
    const row = await this.db(BASELINES)
      .where({ model_name: model, model_version: version })
      .first('data', 'row_count');
    if (!row) {
      return undefined;
    }
    const text = (await gunzipAsync(row.data)).toString('utf8');
    const columns: ColumnarDataset = Object.create(null);
    Object.assign(columns, JSON.parse(text));
    return { columns, rowCount: Number(row.row_count) };
  }

  /** Versions of a model that have a baseline, highest first. */
  async baselineVersions(model: string): Promise<number[]> {
    const rows = await this.db(BASELINES)
      .where({ model_name: model })
      .orderBy('model_version', 'desc')
      .select('model_version');
    return rows.map(r => Number(r.model_version));
  }

  /** Every model that has at least one baseline. */
  async modelsWithBaselines(): Promise<string[]> {
    const rows = await this.db(BASELINES)
      .distinct('model_name')
      .orderBy('model_name');
    return rows.map(r => r.model_name);
  }

  async insertReport(report: StoredDriftReport): Promise<void> {
    await this.db(REPORTS).insert({
      id: report.id,
      model_name: report.model,
      model_version: report.version,
      source: report.source,
      dataset_drift: report.datasetDrift,
      drift_share: report.driftShare,
      drifted_count: report.driftedCount,
      feature_count: report.featureCount,
      drift_share_threshold: report.driftShareThreshold,
      drifted_features: JSON.stringify(report.driftedFeatures),
      features: JSON.stringify(report.features),
      skipped_features: JSON.stringify(report.skippedFeatures),
      quality: JSON.stringify(report.quality),
      reference_rows: report.referenceRows,
      current_rows: report.currentRows,
      window_minutes: report.windowMinutes,
      created_at: new Date(report.createdAt),
    });
  }

  /** The newest report of a model, if any. */
  async latestReport(model: string): Promise<StoredDriftReport | undefined> {
    const row = await this.db(REPORTS)
      .where({ model_name: model })
      .orderBy([
        { column: 'created_at', order: 'desc' },
        { column: 'id', order: 'desc' },
      ])
      .first();
    return row ? reportFromRow(row) : undefined;
  }

  /**
   * The verdict of each named model's newest report, without the per-feature
   * results (the bulk of a report): one query per slice of names, for the
   * fleet's drift column.
   */
  async latestVerdicts(models: string[]): Promise<Map<string, DriftVerdict>> {
    const verdicts = new Map<string, DriftVerdict>();
    for (const chunk of inChunks([...new Set(models)])) {
      const rows = await this.db
        .select('*')
        .from(
          this.db(REPORTS)
            .whereIn('model_name', chunk)
            .select(
              'id',
              'model_name',
              'dataset_drift',
              'drift_share',
              'drifted_features',
              'created_at',
              this.db.raw(
                'row_number() over (partition by model_name order by created_at desc, id desc) as newest',
              ),
            )
            .as('ranked'),
        )
        .where('newest', 1);
      for (const row of rows) {
        verdicts.set(row.model_name, {
          id: row.id,
          datasetDrift: Boolean(row.dataset_drift),
          driftShare: Number(row.drift_share),
          driftedFeatures: JSON.parse(row.drifted_features),
          createdAt: readRequiredIso(row.created_at),
        });
      }
    }
    return verdicts;
  }

  /** The newest `limit` reports' drift shares, oldest first (for a chart). */
  async history(model: string, limit: number): Promise<DriftHistoryPoint[]> {
    const rows = await this.db(REPORTS)
      .where({ model_name: model })
      .orderBy([
        { column: 'created_at', order: 'desc' },
        { column: 'id', order: 'desc' },
      ])
      .limit(limit)
      .select(
        'id',
        'model_version',
        'drift_share',
        'dataset_drift',
        'created_at',
      );
    return rows.reverse().map(row => ({
      id: row.id,
      version: Number(row.model_version),
      driftShare: Number(row.drift_share),
      datasetDrift: Boolean(row.dataset_drift),
      createdAt: readRequiredIso(row.created_at),
    }));
  }

  /**
   * Deletes reports created before `before`, keeping each model's newest
   * report however old, so an entity never loses its last verdict.
   *
   * @returns the number of deleted reports
   */
  async pruneReports(before: Date): Promise<number> {
    const newest = this.db(REPORTS)
      .select('model_name')
      .max({ newest: 'created_at' })
      .groupBy('model_name')
      .as('newest');
    const keep = this.db(REPORTS)
      .join(newest, join =>
        join
          .on(`${REPORTS}.model_name`, '=', 'newest.model_name')
          .andOn(`${REPORTS}.created_at`, '=', 'newest.newest'),
      )
      .select(`${REPORTS}.id`);
    return await this.db(REPORTS)
      .where('created_at', '<', before)
      .whereNotIn('id', keep)
      .delete();
  }

  /** Number of stored reports (tests and the demo seeder use it). */
  async countReports(model?: string): Promise<number> {
    const query = this.db(REPORTS);
    if (model !== undefined) {
      query.where({ model_name: model });
    }
    const [row] = await query.count({ n: '*' });
    return Number(row.n);
  }
}
