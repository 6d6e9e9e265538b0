import type { DetectorSymptom } from '@backstage-mlops/plugin-mlops-common';

/*
 * The read (and one write) interfaces through which the detectors observe the
 * other capabilities. Each capability's store or service implements the
 * method with exactly this name and shape; structural typing joins them when
 * the plugin is wired, so this folder never imports their files. Model and
 * pipeline names are store object names (the annotation values).
 */

/** Windowed prediction statistics of a model (implemented by monitoring). */
export interface MonitoringSource {
  /** Stats over the last `windowMinutes` from the per-minute rollups (never raw events). */
  windowStats(model: string, options: { windowMinutes: number; environment?: string }): Promise<{
    count: number;              // prediction events in the window
    errorRate: number | null;   // errors / count, null when count = 0
    latencyP95Ms: number | null;
    accuracy: number | null;    // correct / labelled, null without labels
    baselineAccuracy: number | null; // from the registry version's evaluation or first production day
  }>;
}

/** The newest drift report of a model (implemented by drift). */
export interface DriftSource {
  latestReport(model: string): Promise<
    | { id: string; datasetDrift: boolean; driftShare: number; driftedFeatures: string[]; createdAt: string }
    | undefined>;
}

/** Deployments of a model (implemented by deployments). */
export interface DeploymentSource {
  /** The latest deployment of the model in each environment. */
  latestByEnvironment(model: string): Promise<Array<{
    id: string; environment: string; version: number;
    status: 'pending' | 'in_progress' | 'succeeded' | 'failed' | 'rolled_back' | 'stuck';
    message?: string; updatedAt: string;
  }>>;
}

/** Pipeline runs (implemented by pipelines). */
export interface PipelineSource {
  /** Newest first. state is the Prefect-like run state (SCHEDULED, PENDING, RUNNING,
   * COMPLETED, FAILED, CRASHED, CANCELLED, LATE). */
  latestRuns(pipeline: string, limit: number): Promise<Array<{
    id: string; state: string; failureReason?: string; failureClass?: string;
    startedAt?: string; endedAt?: string; scheduledAt?: string;
  }>>;
  /** When the pipeline last completed successfully (for staleness), if ever. */
  lastSuccessAt(pipeline: string): Promise<string | undefined>;
  /** Retrain trigger: records a requested run of the pipeline with a reason. */
  requestRun(pipeline: string, reason: string): Promise<{ id: string }>;
}

/** The registry's Production version of a model (implemented by the registry). */
export interface RegistrySource {
  /** The version currently in Production, if any. */
  productionVersion(model: string): Promise<{ version: number; metrics: Record<string, number> } | undefined>;
}

/**
 * Where mirrored objects come from (implemented by the sources capability):
 * the instance an object is mirrored from, when its syncs are failing.
 */
export interface MirrorSource {
  unreachableSourceOf(kind: 'model' | 'pipeline', name: string): Promise<
    | { type: string; name: string; lastSuccessAt?: string; lastError?: string;
        lastErrorAt?: string; consecutiveFailures: number }
    | undefined>;
}

/**
 * Every source the detectors can use. Each one is optional: without a source
 * its detectors do not run, and what they would have observed stays unknown.
 */
export interface DetectorSources {
  monitoring?: MonitoringSource;
  drift?: DriftSource;
  deployments?: DeploymentSource;
  pipelines?: PipelineSource;
  registry?: RegistrySource;
  mirrors?: MirrorSource;
}

/**
 * What the triage helper reads about an entity to pick its guidance: the
 * symptoms of its open incidents and the latest failure reasons of its
 * linked pipelines. Implemented by the incidents service.
 */
export interface TriageSignalSource {
  signals(entityRef: string): Promise<{
    symptoms: DetectorSymptom[];
    failureReasons: string[];
  }>;
}
