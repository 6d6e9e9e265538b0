import {
  DeploymentSource,
  DriftSource,
  MonitoringSource,
  PipelineSource,
  RegistrySource,
} from '../sources';

type WindowStats = Awaited<ReturnType<MonitoringSource['windowStats']>>;
type DriftReport = NonNullable<Awaited<ReturnType<DriftSource['latestReport']>>>;
type Deployment = Awaited<ReturnType<DeploymentSource['latestByEnvironment']>>[number];
type PipelineRun = Awaited<ReturnType<PipelineSource['latestRuns']>>[number];

/** Monitoring whose stats a test sets directly; the lookback window gets `lookback`. */
export class MemoryMonitoring implements MonitoringSource {
  stats = new Map<string, WindowStats>();
  lookback = new Map<string, number>();
  /** Stats for one exact window length, when a test needs windows to differ. */
  windows = new Map<string, Map<number, WindowStats>>();
  calls = 0;
  failing = false;

  set(model: string, stats: Partial<WindowStats>) {
    this.stats.set(model, {
      count: 1000,
      errorRate: 0.01,
      latencyP95Ms: 120,
      accuracy: null,
      baselineAccuracy: null,
      ...stats,
    });
  }

  async windowStats(model: string, options: { windowMinutes: number }) {
    this.calls++;
    if (this.failing) {
      throw new Error('monitoring store unavailable');
    }
    const exact = this.windows.get(model)?.get(options.windowMinutes);
    if (exact) {
      return exact;
    }
    const stats = this.stats.get(model);
    if (options.windowMinutes > 60 && stats?.count === 0) {
      const count = this.lookback.get(model) ?? 0;
      return { ...stats, count };
    }
    return (
      stats ?? {
        count: 0,
        errorRate: null,
        latencyP95Ms: null,
        accuracy: null,
        baselineAccuracy: null,
      }
    );
  }
}

export class MemoryDrift implements DriftSource {
  reports = new Map<string, DriftReport>();
  async latestReport(model: string) {
    return this.reports.get(model);
  }
}

export class MemoryDeployments implements DeploymentSource {
  latest = new Map<string, Deployment[]>();
  async latestByEnvironment(model: string) {
    return this.latest.get(model) ?? [];
  }
}

export class MemoryPipelines implements PipelineSource {
  runs = new Map<string, PipelineRun[]>();
  lastSuccess = new Map<string, string>();
  requested: Array<{ pipeline: string; reason: string }> = [];
  async latestRuns(pipeline: string, limit: number) {
    return (this.runs.get(pipeline) ?? []).slice(0, limit);
  }
  async lastSuccessAt(pipeline: string) {
    return this.lastSuccess.get(pipeline);
  }
  async requestRun(pipeline: string, reason: string) {
    this.requested.push({ pipeline, reason });
    return { id: `requested-${this.requested.length}` };
  }
}

export class MemoryRegistry implements RegistrySource {
  production = new Map<string, { version: number; metrics: Record<string, number> }>();
  async productionVersion(model: string) {
    return this.production.get(model);
  }
}
