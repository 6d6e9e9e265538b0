import { SchedulerServiceTaskScheduleDefinitionConfig } from '@backstage/backend-plugin-api';

export interface Config {
  /** Configuration of the MLOps plugins. */
  mlops?: {
    /**
     * Health thresholds used by the detectors when an entity has no
     * annotation overriding them.
     */
    thresholds?: {
      /** p95 latency above which a model is unhealthy, in milliseconds. Default 500. */
      latencyP95Ms?: number;
      /** Error rate (0..1) above which a model is unhealthy. Default 0.05. */
      errorRate?: number;
      /** Relative accuracy drop against the baseline that counts as degraded. Default 0.1. */
      accuracyDrop?: number;
      /** The window the latency, error rate, accuracy and traffic detectors read, in minutes. Default 15. */
      windowMinutes?: number;
      /** Fewest predictions in the window before latency, errors and accuracy are judged. Default 20. */
      minEvents?: number;
      /** An empty window is "no traffic" only if the model had traffic within this many minutes. Default 10080 (a week). */
      trafficLookbackMinutes?: number;
      /** Minutes a scheduled pipeline run may wait before it is late. Default `mlops.pipelines.lateAfter`, else 15. */
      pipelineLateMinutes?: number;
      /** Hours without a successful pipeline run before its output is stale. Default `mlops.pipelines.defaultSla`, else 48. */
      pipelineStaleHours?: number;
      /** Minutes a deployment may stay pending or in progress before it counts as stuck. Default `mlops.deployments.stuckAfter`, else 30. */
      deploymentStuckMinutes?: number;
    };
    /** Health checks and incidents. */
    incidents?: {
      /**
       * How long a symptom must stay clear before its incident resolves by
       * itself, e.g. `{ minutes: 15 }` (the default) or `PT15M`.
       */
      autoResolveAfter?:
        | string
        | { days?: number; hours?: number; minutes?: number; seconds?: number };
      /**
       * How often the detectors evaluate every model and pipeline (once
       * across all backend replicas). Default: every 5 minutes.
       */
      schedule?: SchedulerServiceTaskScheduleDefinitionConfig;
    };
    /**
     * Notifications to an incident's owning team through Backstage's
     * notifications service: when it opens, when its severity changes and
     * when it resolves, each once per incident.
     */
    notifications?: {
      /** Set to false to send none. Default true. */
      enabled?: boolean;
      /**
       * The least severity that notifies when an incident opens or changes
       * severity: 'warning' (the default) or 'critical'. A resolution
       * notifies when the team was told about the incident before.
       */
      minSeverity?: 'warning' | 'critical';
    };
    /** Drift checks against the reference baselines of model versions. */
    drift?: {
      /**
       * How often the scheduled drift checks run (once across all backend
       * replicas), e.g. `{ frequency: { minutes: 60 }, timeout: { minutes: 15 } }`.
       * Default: every 60 minutes.
       */
      schedule?: SchedulerServiceTaskScheduleDefinitionConfig;
      /** Minutes of monitored feature values a scheduled check compares. Default 60. */
      windowMinutes?: number;
      /** Fewer monitored rows than this and a scheduled check waits. Default 50. */
      minWindowRows?: number;
      /** Data quality score (0..1) below which a dataset fails. Default 0.8. */
      qualityThreshold?: number;
      /** Days drift reports are kept; a model's newest report is always kept. Default 90. */
      retentionDays?: number;
      /** Size limits of posted datasets. */
      limits?: {
        /** Rows per dataset. Default 100000. */
        maxRows?: number;
        /** Features per dataset. Default 100. */
        maxFeatures?: number;
        /** JSON body bytes per drift request. Default 16 MiB. */
        maxBodyBytes?: number;
      };
    };
    /** Deployments of model versions to environments. */
    deployments?: {
      /**
       * How long a deployment may stay in_progress before it is reported
       * `stuck`: `30m`, `PT30M` or `{ minutes: 30 }`. Default 30 minutes.
       */
      stuckAfter?:
        | string
        | { days?: number; hours?: number; minutes?: number; seconds?: number };
      /** Target used when a deploy request names none. Default `record`. */
      defaultTarget?: string;
      /** The built-in `webhook` target. */
      webhook?: {
        /**
         * The only URLs the webhook target ever POSTs to. A request naming
         * any other URL is refused. Entries may carry tokens, so they are
         * secret and never logged (only their origin is).
         * @deepVisibility secret
         */
        allowedUrls?: string[];
      };
    };
    /** Pipeline runs reported by orchestrators. */
    pipelines?: {
      /**
       * A RUNNING run whose last heartbeat is older than this is CRASHED.
       * Default 10 minutes.
       */
      heartbeatTimeout?:
        | string
        | { days?: number; hours?: number; minutes?: number; seconds?: number };
      /**
       * A SCHEDULED run not started this long after its scheduled time is
       * LATE. Default 15 minutes.
       */
      lateAfter?:
        | string
        | { days?: number; hours?: number; minutes?: number; seconds?: number };
      /**
       * SLA of pipelines that set none: without a COMPLETED run within it,
       * the pipeline's data is stale. Unset means no default SLA.
       */
      defaultSla?:
        | string
        | { days?: number; hours?: number; minutes?: number; seconds?: number };
      /**
       * Where to POST `{ pipeline, runId, reason }` when a drift or accuracy
       * incident requests a retrain of a model's training pipeline. Set by
       * operators only; its path may carry a token.
       * @visibility secret
       */
      retrainWebhookUrl?: string;
      /** How often the sweep for crashed, late and stale runs runs. Default 1 minute. */
      sweepInterval?:
        | string
        | { days?: number; hours?: number; minutes?: number; seconds?: number };
    };
    /** The model registry. */
    registry?: {
      /**
       * Whether a higher or a lower value is better, per metric key, when two
       * versions are compared. Keys not listed are lower-is-better when they
       * name a cost (loss, error, rmse, mae, latency) and higher-is-better
       * otherwise.
       */
      metricDirections?: { [metricKey: string]: 'higher' | 'lower' };
    };
    /** Artifacts MLflow clients upload through the portal's artifact proxy. */
    artifacts?: {
      /**
       * Where artifacts are kept: `filesystem` (the default) or `s3` (any
       * S3-compatible object store).
       */
      store?: 'filesystem' | 's3';
      /**
       * Largest single artifact file in bytes; larger uploads are refused
       * with a 413 before or while they stream in. Default 5 GiB.
       */
      maxFileBytes?: number;
      filesystem?: {
        /**
         * Folder for artifacts (relative to the backend's working directory).
         * Default: `artifacts` beside the SQLite folder
         * (`backend.database.connection.directory`), else `./data/artifacts`.
         */
        root?: string;
      };
      s3?: {
        bucket: string;
        /** Key prefix for every artifact, e.g. `mlops/artifacts`. */
        prefix?: string;
        region?: string;
        /** For S3-compatible servers (MinIO, Ceph…); AWS S3 when unset. */
        endpoint?: string;
        /** Path-style URLs; on by default when an endpoint is set. */
        forcePathStyle?: boolean;
        /** Static credentials; otherwise the AWS SDK's default chain. */
        accessKeyId?: string;
        /** @visibility secret */
        secretAccessKey?: string;
      };
      /**
       * MLflow's proxied multipart uploads (clients set
       * `MLFLOW_ENABLE_PROXY_MULTIPART_UPLOAD=true`). The S3 store hands out
       * presigned UploadPart URLs; the filesystem store hands out URLs of
       * the portal's own part route, signed and expiring.
       */
      multipart?: {
        /**
         * Key (32 characters or more) that signs the filesystem store's part
         * URLs. Unset, each backend process makes a random one: enough for
         * a single replica; several replicas behind one URL need the same
         * key, since a part may reach another replica than the one that
         * signed its URL.
         * @visibility secret
         */
        signingKey?: string;
        /** How long part URLs stay valid, in seconds (60 to 604800). Default 3600. */
        partUrlExpirySeconds?: number;
      };
    };
  };
}
