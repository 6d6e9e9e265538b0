/*
 * The parts of MLflow's REST API (2.x, `/api/2.0/mlflow`) the source reads,
 * as MLflow's protos define them. Only fields the source uses are listed;
 * every one is optional on the wire, so readers check before use.
 */

export interface MlflowKeyValue {
  key?: string;
  value?: string;
}

export interface MlflowExperiment {
  experiment_id?: string;
  name?: string;
  lifecycle_stage?: string;
  last_update_time?: number | string;
  tags?: MlflowKeyValue[];
}

export interface MlflowMetric {
  key?: string;
  value?: number | string;
  timestamp?: number | string;
  step?: number | string;
}

export interface MlflowRun {
  info?: {
    run_id?: string;
    run_uuid?: string;
    experiment_id?: string;
    run_name?: string;
    status?: string;
    start_time?: number | string;
    end_time?: number | string;
    user_id?: string;
    lifecycle_stage?: string;
  };
  data?: {
    metrics?: MlflowMetric[];
    params?: MlflowKeyValue[];
    tags?: MlflowKeyValue[];
  };
}

export interface MlflowRegisteredModel {
  name?: string;
  creation_timestamp?: number | string;
  last_updated_timestamp?: number | string;
  description?: string;
  tags?: MlflowKeyValue[];
  aliases?: Array<{ alias?: string; version?: string }>;
  latest_versions?: Array<{ version?: string; current_stage?: string }>;
}

export interface MlflowModelVersion {
  name?: string;
  version?: string;
  creation_timestamp?: number | string;
  last_updated_timestamp?: number | string;
  user_id?: string;
  current_stage?: string;
  description?: string;
  source?: string;
  run_id?: string;
  status?: string;
  tags?: MlflowKeyValue[];
}

export interface Paged {
  next_page_token?: string;
}

/** The API's path prefix below an instance's base URL. */
export const API = '/api/2.0/mlflow';
