import { RunStatus } from '@backstage-mlops/plugin-mlops-common';

/*
 * What the tracking store takes and gives besides the common API types:
 * validated inputs of its writes, and the run snapshot the registry copies.
 */

/** A new experiment, already validated. */
export interface NewExperiment {
  name: string;
  owner?: string;
  description?: string;
  tags?: Record<string, string>;
}

/** A new run, already validated; times are epoch milliseconds. */
export interface NewRun {
  experimentId?: string;
  experimentName?: string;
  name?: string;
  status?: RunStatus;
  startTime?: number;
  user?: string;
  source?: string;
  parentRunId?: string;
  tags?: Record<string, string>;
}

/** A change to a run, already validated; times are epoch milliseconds. */
export interface RunUpdate {
  name?: string;
  status?: RunStatus;
  endTime?: number;
  deleted?: boolean;
}

/** One metric measurement, already validated (value may be NaN or ±Infinity). */
export interface MetricMeasurement {
  key: string;
  value: number;
  step: number;
  timestamp: number;
}

/** A validated log batch. */
export interface RunBatch {
  metrics: MetricMeasurement[];
  params: Array<{ key: string; value: string }>;
  tags: Array<{ key: string; value: string }>;
}

/** What {@link TrackingStore.getRunSnapshot} answers (RunSnapshotSource). */
export interface RunSnapshot {
  experimentName: string;
  params: Record<string, string>;
  metrics: Record<string, number>;
}
