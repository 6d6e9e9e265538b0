import { LoggerService } from '@backstage/backend-plugin-api';
import { Config } from '@backstage/config';
import { InputError, NotFoundError } from '@backstage/errors';
import {
  DriftCompareResponse,
  DriftInputError,
  DriftOptions,
  DriftReport,
  EntityDriftView,
  ModelDriftView,
  detectDrift,
} from '@backstage-mlops/plugin-mlops-common';
import { randomUUID } from 'crypto';
import { ResolvedEntity } from '../shared/EntityResolver';
import {
  ColumnarDataset,
  DEFAULT_DRIFT_LIMITS,
  DriftLimits,
  summarizeColumns,
  toColumnarDataset,
} from './dataset';
import {
  BaselineSummary,
  DriftReportSource,
  DriftStore,
  SkippedFeature,
  StoredDriftReport,
  DriftVerdict,
} from './DriftStore';
import { DEFAULT_QUALITY_THRESHOLD, dataQuality } from './quality';

/**
 * Recent feature values of a model, as the monitoring capability keeps them
 * (a bounded reservoir per window). The drift service draws its scheduled
 * current window from here once monitoring is wired in.
 */
export interface FeatureWindowSource {
  featureSample(
    model: string,
    options: { windowMinutes: number },
  ): Promise<Record<string, Array<number | string | null>>>;
}

/** The registry's answer to "does this model have that version". */
export interface ModelVersionChecker {
  versionExists(model: string, version: number): Promise<boolean>;
}

/** The registry's Production version, which scheduled checks compare with. */
export interface ProductionVersionSource {
  productionVersion(model: string): Promise<{ version: number } | undefined>;
}

/** Default length of the window a scheduled check draws, in minutes. */
export const DEFAULT_DRIFT_WINDOW_MINUTES = 60;
/** Fewer current rows than this and a scheduled check waits for more data. */
export const DEFAULT_MIN_WINDOW_ROWS = 50;
/** Reports older than this many days are pruned after each scheduled round. */
export const DEFAULT_REPORT_RETENTION_DAYS = 90;
/** How many past reports the entity route returns for the chart. */
export const DRIFT_HISTORY_LIMIT = 90;

/** Options of {@link DriftService}. */
export interface DriftServiceOptions {
  store: DriftStore;
  logger: LoggerService;
  limits?: Partial<DriftLimits>;
  qualityThreshold?: number;
  windowMinutes?: number;
  minWindowRows?: number;
  /** Days reports are kept (the newest report of a model is always kept). */
  retentionDays?: number;
  /** Registry version check; without it any positive version is accepted. */
  versions?: ModelVersionChecker;
  /** Monitoring's feature values; without it scheduled checks have no window. */
  featureWindows?: FeatureWindowSource;
  /** Registry's Production version; without it checks use the newest baseline. */
  registry?: ProductionVersionSource;
}

/** Result of an ad-hoc comparison of two posted datasets. */
export type DriftCompareResult = DriftCompareResponse;

/** What one run of the scheduled checks did, model by model. */
export interface ScheduledCheckSummary {
  checked: string[];
  skipped: Array<{ model: string; reason: string }>;
  failed: Array<{ model: string; error: string }>;
}

/** The drift card's data for one model linked to an entity. */
export type ModelDrift = ModelDriftView;
/** The drift card's data for an entity. */
export type EntityDrift = EntityDriftView;

/** Reads the drift service's settings from `mlops.drift`. */
export function driftSettingsFromConfig(
  config: Config,
): Pick<
  DriftServiceOptions,
  | 'limits'
  | 'qualityThreshold'
  | 'windowMinutes'
  | 'minWindowRows'
  | 'retentionDays'
> {
  const drift = config.getOptionalConfig('mlops.drift');
  const qualityThreshold = drift?.getOptionalNumber('qualityThreshold');
  if (
    qualityThreshold !== undefined &&
    !(qualityThreshold >= 0 && qualityThreshold <= 1)
  ) {
    throw new Error(
      `mlops.drift.qualityThreshold must be between 0 and 1, got ${qualityThreshold}`,
    );
  }
  return {
    qualityThreshold,
    windowMinutes: drift?.getOptionalNumber('windowMinutes'),
    minWindowRows: drift?.getOptionalNumber('minWindowRows'),
    retentionDays: drift?.getOptionalNumber('retentionDays'),
    limits: {
      maxRows: drift?.getOptionalNumber('limits.maxRows'),
      maxFeatures: drift?.getOptionalNumber('limits.maxFeatures'),
      maxBodyBytes: drift?.getOptionalNumber('limits.maxBodyBytes'),
    },
  };
}

function withoutUndefined<T extends object>(value: T | undefined): Partial<T> {
  return Object.fromEntries(
    Object.entries(value ?? {}).filter(([, v]) => v !== undefined),
  ) as Partial<T>;
}

/** Runs the statistics, turning their input errors into 400s. */
function runDetectDrift(
  reference: ColumnarDataset,
  current: ColumnarDataset,
  options: DriftOptions,
): DriftReport {
  try {
    return detectDrift({ reference, current, options });
  } catch (error) {
    if (
      error instanceof DriftInputError ||
      (error as Error)?.name === 'DriftInputError'
    ) {
      throw new InputError((error as Error).message);
    }
    throw error;
  }
}

/**
 * Drift checks: ad-hoc comparisons, reference baselines per model version,
 * checks of a current window against a baseline (posted or drawn from
 * monitoring on a schedule), and the reports they leave behind.
 */
export class DriftService {
  readonly limits: DriftLimits;
  private readonly store: DriftStore;
  private readonly logger: LoggerService;
  private readonly qualityThreshold: number;
  private readonly windowMinutes: number;
  private readonly minWindowRows: number;
  private readonly retentionDays: number;
  private readonly versions?: ModelVersionChecker;
  private readonly featureWindows?: FeatureWindowSource;
  private readonly registry?: ProductionVersionSource;

  constructor(options: DriftServiceOptions) {
    this.store = options.store;
    this.logger = options.logger;
    this.limits = {
      ...DEFAULT_DRIFT_LIMITS,
      ...withoutUndefined(options.limits),
    };
    this.qualityThreshold =
      options.qualityThreshold ?? DEFAULT_QUALITY_THRESHOLD;
    this.windowMinutes = options.windowMinutes ?? DEFAULT_DRIFT_WINDOW_MINUTES;
    this.minWindowRows = options.minWindowRows ?? DEFAULT_MIN_WINDOW_ROWS;
    this.retentionDays = options.retentionDays ?? DEFAULT_REPORT_RETENTION_DAYS;
    this.versions = options.versions;
    this.featureWindows = options.featureWindows;
    this.registry = options.registry;
  }

  /** Compares two posted datasets; nothing is stored. */
  compare(input: {
    reference?: unknown;
    current?: unknown;
    options?: DriftOptions;
    requiredColumns?: string[];
  }): DriftCompareResult {
    const reference = toColumnarDataset(
      input.reference,
      'reference',
      this.limits,
    );
    const current = toColumnarDataset(input.current, 'current', this.limits);
    const report = runDetectDrift(
      reference.columns,
      current.columns,
      input.options ?? {},
    );
    const qualityOptions = {
      requiredColumns: input.requiredColumns,
      threshold: this.qualityThreshold,
    };
    return {
      report,
      quality: {
        reference: dataQuality(
          reference.columns,
          reference.rowCount,
          qualityOptions,
        ),
        current: dataQuality(current.columns, current.rowCount, qualityOptions),
      },
    };
  }

  private async assertModelVersion(model: string, version: number) {
    if (!(await this.store.modelExists(model))) {
      throw new NotFoundError(`No registered model named ${model}`);
    }
    if (this.versions && !(await this.versions.versionExists(model, version))) {
      throw new NotFoundError(`Model ${model} has no version ${version}`);
    }
  }

  /** Stores uploaded rows as the reference baseline of a model version. */
  async putBaseline(options: {
    model: string;
    version: number;
    data: unknown;
    replace: boolean;
    createdBy?: string;
  }): Promise<BaselineSummary & { replaced: boolean }> {
    const { columns, rowCount } = toColumnarDataset(
      options.data,
      'baseline',
      this.limits,
    );
    const features = summarizeColumns(columns, 'baseline');
    const empty = features.find(f => f.count === 0);
    if (empty) {
      throw new InputError(
        `baseline column "${empty.name}" has no non-missing values`,
      );
    }
    await this.assertModelVersion(options.model, options.version);
    const { replaced } = await this.store.putBaseline({
      model: options.model,
      version: options.version,
      columns,
      rowCount,
      features,
      createdBy: options.createdBy,
      replace: options.replace,
    });
    const summary = await this.store.getBaselineSummary(
      options.model,
      options.version,
    );
    return { ...summary!, replaced };
  }

  /** The summary of a stored baseline. */
  async getBaseline(model: string, version: number): Promise<BaselineSummary> {
    const summary = await this.store.getBaselineSummary(model, version);
    if (!summary) {
      if (!(await this.store.modelExists(model))) {
        throw new NotFoundError(`No registered model named ${model}`);
      }
      throw new NotFoundError(
        `Model ${model} version ${version} has no baseline`,
      );
    }
    return summary;
  }

  /**
   * The baseline a check compares with: the requested version, else the
   * registry's Production version when it has a baseline, else the highest
   * version that has one.
   */
  private async baselineVersionFor(
    model: string,
    requested?: number,
  ): Promise<number | undefined> {
    const versions = await this.store.baselineVersions(model);
    if (requested !== undefined) {
      return versions.includes(requested) ? requested : undefined;
    }
    const production = await this.registry?.productionVersion(model);
    if (production && versions.includes(production.version)) {
      return production.version;
    }
    return versions[0];
  }

  /**
   * Compares a current window with a model's baseline and stores the report.
   * Baseline features absent from the window, or without any value in it,
   * are skipped and listed; the quality report counts them as missing
   * required columns.
   */
  async checkModel(options: {
    model: string;
    version?: number;
    current: unknown;
    source: DriftReportSource;
    driftOptions?: DriftOptions;
    requiredColumns?: string[];
    windowMinutes?: number;
    now?: Date;
  }): Promise<StoredDriftReport> {
    const { model } = options;
    const current = toColumnarDataset(options.current, 'current', this.limits);
    const currentSummary = summarizeColumns(current.columns, 'current');
    if (!(await this.store.modelExists(model))) {
      throw new NotFoundError(`No registered model named ${model}`);
    }
    const version = await this.baselineVersionFor(model, options.version);
    if (version === undefined) {
      throw new NotFoundError(
        options.version === undefined
          ? `Model ${model} has no baseline; upload one first`
          : `Model ${model} version ${options.version} has no baseline`,
      );
    }
    const baseline = (await this.store.getBaselineData(model, version))!;
    const baselineNames = Object.keys(baseline.columns);
    const counts = new Map(currentSummary.map(f => [f.name, f.count]));
    const skippedFeatures: SkippedFeature[] = [];
    const columns: string[] = [];
    for (const name of options.driftOptions?.columns ?? baselineNames) {
      const count = counts.get(name);
      if (!Object.prototype.hasOwnProperty.call(baseline.columns, name)) {
        throw new InputError(
          `column "${name}" is not a feature of the baseline of ${model} version ${version}`,
        );
      }
      if (count === undefined) {
        skippedFeatures.push({
          feature: name,
          reason: 'absent from the current data',
        });
      } else if (count === 0) {
        skippedFeatures.push({
          feature: name,
          reason: 'no values in the current data',
        });
      } else {
        columns.push(name);
      }
    }
    if (columns.length === 0) {
      throw new InputError(
        `none of the baseline features of ${model} version ${version} (${baselineNames.join(
          ', ',
        )}) has values in the current data`,
      );
    }
    const report = runDetectDrift(baseline.columns, current.columns, {
      ...options.driftOptions,
      columns,
    });
    const quality = dataQuality(current.columns, current.rowCount, {
      requiredColumns: options.requiredColumns ?? baselineNames,
      threshold: this.qualityThreshold,
    });
    const stored: StoredDriftReport = {
      id: randomUUID(),
      model,
      version,
      source: options.source,
      datasetDrift: report.datasetDrift,
      driftShare: report.driftShare,
      driftedCount: report.driftedCount,
      featureCount: report.featureCount,
      driftShareThreshold: report.driftShareThreshold,
      driftedFeatures: report.features
        .filter(f => f.drifted)
        .map(f => f.feature),
      features: report.features,
      skippedFeatures,
      quality,
      referenceRows: baseline.rowCount,
      currentRows: current.rowCount,
      windowMinutes: options.windowMinutes ?? null,
      createdAt: (options.now ?? new Date()).toISOString(),
    };
    await this.store.insertReport(stored);
    return stored;
  }

  /**
   * One round of scheduled checks: every model with a baseline is compared
   * with its recent monitored feature values. A failure is logged and
   * counted for that model only; the round itself never throws.
   */
  async runScheduledChecks(): Promise<ScheduledCheckSummary> {
    const summary = await this.checkAllModels();
    try {
      const pruned = await this.store.pruneReports(
        new Date(Date.now() - this.retentionDays * 24 * 60 * 60 * 1000),
      );
      if (pruned > 0) {
        this.logger.info(
          `Pruned ${pruned} drift reports older than ${this.retentionDays} days`,
        );
      }
    } catch (error) {
      this.logger.warn(`Pruning old drift reports failed: ${error}`);
    }
    return summary;
  }

  private async checkAllModels(): Promise<ScheduledCheckSummary> {
    const summary: ScheduledCheckSummary = {
      checked: [],
      skipped: [],
      failed: [],
    };
    let models: string[];
    try {
      models = await this.store.modelsWithBaselines();
    } catch (error) {
      this.logger.error(`Drift checks could not list baselines: ${error}`);
      return summary;
    }
    const source = this.featureWindows;
    if (!source) {
      for (const model of models) {
        summary.skipped.push({
          model,
          reason: 'no monitored feature values (monitoring is not wired in)',
        });
      }
      if (models.length > 0) {
        this.logger.debug(
          'Drift checks skipped: no source of monitored feature values',
        );
      }
      return summary;
    }
    for (const model of models) {
      try {
        const sample = await source.featureSample(model, {
          windowMinutes: this.windowMinutes,
        });
        const rows = Math.max(
          0,
          ...Object.values(sample ?? {}).map(values => values.length),
        );
        if (rows < this.minWindowRows) {
          summary.skipped.push({
            model,
            reason: `only ${rows} rows in the last ${this.windowMinutes} minutes (need ${this.minWindowRows})`,
          });
          continue;
        }
        const report = await this.checkModel({
          model,
          current: sample,
          source: 'schedule',
          windowMinutes: this.windowMinutes,
        });
        summary.checked.push(model);
        if (report.datasetDrift) {
          this.logger.info(
            `Drift detected for model ${model}: ${report.driftedFeatures.join(
              ', ',
            )} (share ${report.driftShare.toFixed(2)})`,
          );
        }
      } catch (error) {
        const message = error instanceof Error ? error.message : String(error);
        summary.failed.push({ model, error: message });
        this.logger.warn(`Drift check of model ${model} failed: ${message}`);
      }
    }
    return summary;
  }

  /** The newest report of a model, in the shape detectors consume. */
  async latestReport(model: string): Promise<
    | {
        id: string;
        datasetDrift: boolean;
        driftShare: number;
        driftedFeatures: string[];
        createdAt: string;
      }
    | undefined
  > {
    const report = await this.store.latestReport(model);
    if (!report) {
      return undefined;
    }
    return {
      id: report.id,
      datasetDrift: report.datasetDrift,
      driftShare: report.driftShare,
      driftedFeatures: report.driftedFeatures,
      createdAt: report.createdAt,
    };
  }

  /** The newest report's verdict of each named model that has a report. */
  async latestVerdicts(models: string[]): Promise<Map<string, DriftVerdict>> {
    return this.store.latestVerdicts(models);
  }

  /** Latest report and drift share over time of every model an entity links to. */
  async entityDrift(resolved: ResolvedEntity): Promise<EntityDrift> {
    const models = [
      ...new Set(
        resolved.links.filter(l => l.kind === 'model').map(l => l.name),
      ),
    ];
    return {
      entityRef: resolved.entityRef,
      models: await Promise.all(
        models.map(async model => ({
          model,
          baselineVersions: await this.store.baselineVersions(model),
          latest: (await this.store.latestReport(model)) ?? null,
          history: await this.store.history(model, DRIFT_HISTORY_LIMIT),
        })),
      ),
    };
  }
}
