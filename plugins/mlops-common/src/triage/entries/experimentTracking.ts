import type { TriageEntry } from '../types';

/**
 * Experiment tracking, model registry and artifact store problems (MLflow and
 * its backing database and object store).
 *
 * @public
 */
export const EXPERIMENT_TRACKING_ENTRIES: readonly TriageEntry[] = [
  {
    id: 'mlflow-server-unreachable',
    title: 'MLflow tracking server is down or shows nothing',
    category: 'experiment-tracking',
    summary:
      'Clients cannot reach the tracking server, or the UI loads but the experiments are gone, which usually means a different tracking URI or backend store.',
    symptoms: [
      'The MLflow UI does not load, or loads with no experiments',
      'Jobs fail with "MlflowException: API request to ... failed" or connection refused on port 5000',
      'Runs are written to a local ./mlruns folder instead of the shared server',
    ],
    triage: [
      {
        description:
          'Hit the server health endpoint; anything but OK means it is down or unreachable.',
        command: 'curl -sf {{trackingUrl}}/health && echo',
        shell: 'bash',
      },
      {
        description: 'Check the MLflow pods are running and not restarting.',
        command: 'kubectl get pods -n {{namespace}} -l app=mlflow -o wide',
        shell: 'bash',
      },
      {
        description:
          'Read the last server logs for database or artifact store errors.',
        command: 'kubectl logs -n {{namespace}} -l app=mlflow --tail=100',
        shell: 'bash',
      },
      {
        description:
          'Check which tracking URI the failing job actually uses (an unset variable means local files).',
        command:
          'kubectl exec -n {{namespace}} deploy/{{deployment}} -- printenv MLFLOW_TRACKING_URI',
        shell: 'bash',
      },
      {
        description: 'On a Docker host, make sure the server container is up.',
        command:
          "docker ps --filter name=mlflow --format '{{.Names}} {{.Status}}'",
        shell: 'bash',
      },
    ],
    likelyCauses: [
      'The server process or pod is not running',
      'The client uses the wrong tracking URI (or none, so it logs to local files)',
      'The backend database is offline or refusing connections',
    ],
    fix: [
      'Start or restart the MLflow server and check it stays up',
      'Set MLFLOW_TRACKING_URI to the shared server in the job or deployment environment',
      'Restore database connectivity (see the backend store entries) and restart the server',
    ],
    verify: [
      'The health endpoint returns OK and the UI loads',
      'Existing experiments are visible and a test run logs a metric',
    ],
    prevent: [
      'Give the server liveness and readiness probes on /health',
      'Alert on the MLflow health endpoint like any other production service',
      'Use a persistent, backed-up database for the backend store, never a pod-local SQLite file',
    ],
    related: [
      'incident-mlflow-down',
      'mlflow-database-connections-exhausted',
      'experiments-not-logging',
    ],
    answersSymptoms: [
      'pipeline_failed',
      'error_rate_high',
      'source_unreachable',
    ],
    answersFailureClasses: ['mlflow_unreachable', 'network_error'],
  },
  {
    id: 'portal-source-sync-failing',
    title: 'The portal cannot sync from a server it mirrors',
    category: 'experiment-tracking',
    summary:
      'A model, experiment or pipeline mirrored from an MLflow server, Airflow or Prefect shows data from the last successful sync because the portal can no longer read that server. The portal keeps what it holds and retries with backoff; the object itself may be fine.',
    symptoms: [
      'The health card names "Source unreachable" with the last successful sync and the server\'s error',
      'The MLOps page lists the source instance as failing or with its circuit open',
      'Runs, versions or pipeline runs that exist on the server do not appear on the entity page',
    ],
    triage: [
      {
        description:
          'Ask the server directly from a machine on the same network; a refused connection or a 5xx means it is down.',
        command: 'curl -sf {{trackingUrl}}/health && echo',
        shell: 'bash',
      },
      {
        description:
          'Check that the server answers its API, not just its health page (a wrong base URL answers 404 here).',
        command:
          'curl -s -o /dev/null -w "%{http_code}\\n" -X POST -H "Content-Type: application/json" -d \'{"max_results": 1}\' {{trackingUrl}}/api/2.0/mlflow/experiments/search',
        shell: 'bash',
      },
      {
        description: "Check the server's pods are running and not restarting.",
        command: 'kubectl get pods -n {{namespace}} -o wide',
        shell: 'bash',
      },
    ],
    likelyCauses: [
      'The server is not running or its database is offline',
      "The base URL in the portal's mlops.sources config is wrong, or a network policy blocks the portal",
      "The token or password in the portal's config expired or was rotated (the error says 401 or 403)",
      'The server is overloaded and answers 429 or times out',
    ],
    fix: [
      "Bring the server (and its database) back; the portal's next scheduled sync catches up on its own",
      'Correct baseUrl under mlops.sources in app-config and restart the portal backend',
      'Put a valid token or password in the secret the config reads, then restart the backend',
      "Raise the instance's requestTimeout or lower requestsPerSecond if the server is slow rather than down",
    ],
    verify: [
      'The instance shows as ok on the MLOps page with a recent last success',
      'The "Source unreachable" reason clears at the next health check',
    ],
    prevent: [
      'Monitor and alert on the servers the portal mirrors like any production dependency',
      'Keep source credentials in a secret store with rotation that updates the portal too',
      "Configure the server's webhooks so changes reach the portal without waiting for the schedule",
    ],
    related: ['mlflow-server-unreachable', 'incident-mlflow-down'],
    answersSymptoms: ['source_unreachable'],
    answersFailureClasses: ['mlflow_unreachable', 'network_error'],
  },
  {
    id: 'experiments-not-logging',
    title: 'Parameters, metrics or artifacts are not logged',
    category: 'experiment-tracking',
    summary:
      'Training runs finish but nothing (or only part) shows up in the tracking server: no parameters, no metrics, missing artifacts, or the experiment is never created.',
    symptoms: [
      'Parameters or metrics missing from the run page',
      'Artifacts are not saved with the run',
      'Creating the experiment fails',
      'The job quietly falls back to local tracking because MLflow is not installed',
    ],
    triage: [
      {
        description:
          'Check that mlflow is importable in the job image and which version it is.',
        command:
          "python -c 'import mlflow; print(mlflow.__version__, mlflow.get_tracking_uri())'",
        shell: 'bash',
      },
      {
        description: 'Confirm the experiment exists on the server.',
        command:
          'curl -sfG {{trackingUrl}}/api/2.0/mlflow/experiments/get-by-name --data-urlencode experiment_name={{experiment}}',
        shell: 'bash',
      },
      {
        description:
          'If the URI is a local path, check the process can write there.',
        command:
          'ls -ld ./mlruns && touch ./mlruns/.write-test && rm ./mlruns/.write-test',
        shell: 'bash',
      },
    ],
    likelyCauses: [
      'mlflow is not installed in the image, so the code falls back to local tracking',
      'The tracking URI points somewhere unreachable or to a relative path that is not writable',
      'Logged values are not JSON-serialisable or metric/parameter names are invalid',
      'The artifact path passed to log_artifact does not exist',
    ],
    fix: [
      'Add mlflow to the image dependencies and rebuild',
      'Use an absolute, writable path or the shared server URL as the tracking URI',
      'Convert values to plain numbers and strings before logging and keep names to letters, digits, _ - . / and spaces',
      'Check the artifact file exists before logging it',
    ],
    verify: ['A new run shows its parameters, metrics and artifacts in the UI'],
    prevent: [
      'Fail the job at start-up when tracking is not configured instead of silently logging locally',
      'Cover the logging helper with a test against a throwaway tracking server',
    ],
    related: ['mlflow-server-unreachable', 'mlflow-artifact-upload-fails'],
    answersSymptoms: ['pipeline_failed'],
    answersFailureClasses: [
      'mlflow_unreachable',
      'dependency_error',
      'permission_denied',
    ],
  },
  {
    id: 'mlflow-artifact-upload-fails',
    title: 'Artifact upload to S3/MinIO fails',
    category: 'experiment-tracking',
    summary:
      'Runs and metrics are logged but artifacts or models fail to upload, because the client or server cannot write to the artifact bucket.',
    symptoms: [
      'log_artifact / log_model raises AccessDenied, NoSuchBucket or a botocore error',
      'Runs exist but their artifact tab is empty',
      'Uploads fail with "No space left on device" on a MinIO or volume-backed store',
    ],
    triage: [
      {
        description:
          'Check the bucket exists and your credentials can reach it (replace the bucket name with your artifact root).',
        command: 'aws s3api head-bucket --bucket "$ARTIFACT_BUCKET"',
        shell: 'bash',
      },
      {
        description:
          'List the artifact root to test read permission and network access.',
        command: 'aws s3 ls "s3://$ARTIFACT_BUCKET/" | head',
        shell: 'bash',
      },
      {
        description: 'See which identity the job is using.',
        command: 'aws sts get-caller-identity',
        shell: 'bash',
      },
      {
        description: 'For MinIO, check server health and free capacity.',
        command: 'mc admin info "$MINIO_ALIAS"',
        shell: 'bash',
      },
      {
        description: 'For a volume-backed artifact root, check free space.',
        command: 'kubectl exec -n {{namespace}} deploy/{{deployment}} -- df -h',
        shell: 'bash',
      },
    ],
    likelyCauses: [
      'The job or server identity has no write permission on the bucket',
      'The bucket does not exist (typo or never created)',
      'Network rules block the object store endpoint',
      'The artifact volume or MinIO disk is full',
    ],
    fix: [
      'Grant the job role write access to the artifact prefix (IAM policy or bucket policy)',
      'Create the bucket, or correct --default-artifact-root / the experiment artifact location',
      'Open the network path to the object store endpoint',
      'Free or grow the storage behind the artifact store',
    ],
    verify: [
      'mlflow.log_artifact() of a small file succeeds',
      'The artifact appears under the run in the UI',
    ],
    prevent: [
      'Use IAM roles rather than static keys, set up once per environment',
      'Pre-create artifact buckets as part of the platform setup',
      'Test connectivity and write access to the artifact store in CI or a smoke test',
    ],
    related: [
      'dvc-remote-access-denied',
      'node-disk-full',
      'incident-mlflow-down',
    ],
    answersSymptoms: ['pipeline_failed'],
    answersFailureClasses: [
      'artifact_store_error',
      'permission_denied',
      'disk_full',
    ],
  },
  {
    id: 'mlflow-model-registration-fails',
    title: 'Model registration fails',
    category: 'experiment-tracking',
    summary:
      'Registering a model version fails because the run, its logged model, or access to the registry is missing.',
    symptoms: [
      'register_model raises RESOURCE_DOES_NOT_EXIST or an invalid model URI error',
      'The pipeline registration step fails and no new version appears',
      'The model appears in the run artifacts but not in the registry',
    ],
    triage: [
      {
        description: 'Check the registered model and its latest versions.',
        command:
          'curl -sfG {{trackingUrl}}/api/2.0/mlflow/registered-models/get --data-urlencode name={{model}}',
        shell: 'bash',
      },
      {
        description: 'Confirm the source run exists and is finished.',
        command:
          'curl -sfG {{trackingUrl}}/api/2.0/mlflow/runs/get --data-urlencode run_id="$RUN_ID"',
        shell: 'bash',
      },
      {
        description:
          'List the run artifacts and check the model folder (with its MLmodel file) is there.',
        command:
          'curl -sfG {{trackingUrl}}/api/2.0/mlflow/artifacts/list --data-urlencode run_id="$RUN_ID"',
        shell: 'bash',
      },
    ],
    likelyCauses: [
      'The run id is wrong or the run was deleted',
      'The model artifact was never logged (or logged under another path)',
      'The model was saved with a plain pickle or file copy instead of a log_model flavour, so there is no MLmodel file',
      'The tracking server is unreachable or the caller lacks registry permission',
    ],
    fix: [
      'Register from runs:/<run_id>/<artifact_path> using the exact run id and path that were logged',
      'Log the model with the flavour function (mlflow.sklearn.log_model and friends) before registering',
      'Fix connectivity or permissions to the registry, then retry the step',
    ],
    verify: ['The new version is listed under the registered model'],
    prevent: [
      'Validate that the model artifact exists before calling register_model',
      'Use autologging or a shared helper so models are always logged the same way',
    ],
    related: [
      'mlflow-model-load-fails',
      'mlflow-server-unreachable',
      'model-deployment-fails',
    ],
    answersSymptoms: ['pipeline_failed', 'deployment_failed'],
    answersFailureClasses: ['model_load_error', 'mlflow_unreachable'],
  },
  {
    id: 'mlflow-model-load-fails',
    title: 'Cannot load a model from the registry',
    category: 'experiment-tracking',
    summary:
      'Serving or batch code asks the registry for a model and gets nothing, usually because the stage, alias or version it asks for no longer points at a model.',
    symptoms: [
      '"No versions of model with name ... and stage ... found"',
      'RESOURCE_DOES_NOT_EXIST when loading models:/<name>/<version>',
      'The serving pod starts but reports the model as not loaded',
    ],
    triage: [
      {
        description: 'List the model versions with their stages and status.',
        command:
          'curl -sfG {{trackingUrl}}/api/2.0/mlflow/registered-models/get --data-urlencode name={{model}}',
        shell: 'bash',
      },
      {
        description:
          'If you use aliases per environment, resolve the alias the service loads.',
        command:
          'curl -sfG {{trackingUrl}}/api/2.0/mlflow/registered-models/alias --data-urlencode name={{model}} --data-urlencode alias={{environment}}',
        shell: 'bash',
      },
      {
        description: 'Check which model URI the service is configured with.',
        command:
          'kubectl get deploy {{deployment}} -n {{namespace}} -o yaml | grep -i -A1 model',
        shell: 'bash',
      },
    ],
    likelyCauses: [
      'The service asks for a stage or alias that no version currently holds',
      'The version was archived or deleted (for example by a version clean-up job)',
      'The model URI contains a typo or the wrong model name',
      'The flavour or library versions at load time differ from training time',
    ],
    fix: [
      'Point the service at an existing version or move the stage/alias back to the right version',
      'Restore the archived version to the required stage',
      'Install the same library versions the model was trained with (the model requirements file lists them)',
    ],
    verify: [
      'mlflow.pyfunc.load_model() (or the flavour loader) works with the configured URI',
      'The serving readiness endpoint returns 200',
    ],
    prevent: [
      'Document which URI each environment loads',
      'Never delete versions that are or were recently in production; exclude them from clean-up jobs',
    ],
    related: [
      'serving-503-unavailable',
      'mlflow-model-registration-fails',
      'rolling-back-a-model',
    ],
    answersSymptoms: ['deployment_failed', 'error_rate_high'],
    answersFailureClasses: ['model_load_error'],
  },
  {
    id: 'mlflow-database-schema-or-lock',
    title: 'MLflow or Airflow database schema out of date or locked',
    category: 'experiment-tracking',
    summary:
      'The server refuses to start or hangs at start-up because its database schema is older or newer than the code, or a previous migration left a lock behind.',
    symptoms: [
      'Start-up logs mention alembic, "Can\'t locate revision" or "Detected out-of-date database schema"',
      'Start-up hangs on "Waiting for migration lock"',
      'Several replicas start at once and all try to migrate',
      'SQLite backend reports "database is locked" under concurrent writers',
    ],
    triage: [
      {
        description:
          'Read the start-up logs of the server for the migration error.',
        command:
          'kubectl logs -n {{namespace}} -l app=mlflow --tail=200 | grep -i -E "alembic|migrat|revision|lock"',
        shell: 'bash',
      },
      {
        description: 'See which schema revision the database is at.',
        command: 'psql "$MLFLOW_DB_URI" -c "select * from alembic_version;"',
        shell: 'bash',
      },
      {
        description: 'Look for sessions holding locks in the database.',
        command:
          'psql "$MLFLOW_DB_URI" -c "select pid, state, query_start, left(query, 80) from pg_stat_activity where datname = current_database() and state <> \'idle\';"',
        shell: 'bash',
      },
    ],
    likelyCauses: [
      'The server image was upgraded but the database was not migrated',
      'The database was migrated by a newer version and an older image is now running (a rollback), so the revision is unknown',
      'A migration was interrupted and left a lock or half-applied change',
      'SQLite used as the backend store with more than one writer',
    ],
    fix: [
      'Take a backup, then run the schema upgrade once from a single process (mlflow db upgrade with the backend store URI)',
      'Run the image version that matches the database revision, or restore the pre-upgrade backup when rolling back',
      'Terminate the stuck migrating session once you are sure no migration is still running, then retry with one replica',
      'Move from SQLite to PostgreSQL or MySQL for any shared server',
    ],
    verify: [
      'The server starts and /health returns OK',
      'alembic_version shows the revision the running version expects',
    ],
    prevent: [
      'Run migrations as a separate one-off job before scaling the server up',
      'Back up the database before every upgrade and pin the server image version',
    ],
    related: [
      'incident-mlflow-down',
      'mlflow-database-connections-exhausted',
      'airflow-webserver-fails',
    ],
    answersSymptoms: ['deployment_failed', 'pipeline_failed'],
    answersFailureClasses: ['database_migration_lock'],
  },
  {
    id: 'mlflow-database-connections-exhausted',
    title: 'Tracking database refuses connections',
    category: 'experiment-tracking',
    summary:
      'The backend database is down, full or out of connection slots, so every tracking call fails even though the server process is up.',
    symptoms: [
      '"FATAL: sorry, too many clients already" in server logs',
      'psycopg2 OperationalError / connection refused on 5432',
      'Tracking calls fail intermittently under heavy parallel training',
    ],
    triage: [
      {
        description: 'Check the database accepts connections at all.',
        command: 'pg_isready -h "$DB_HOST" -p 5432',
        shell: 'bash',
      },
      {
        description: 'Compare open connections with the configured maximum.',
        command:
          'psql "$MLFLOW_DB_URI" -c "show max_connections;" -c "select count(*) from pg_stat_activity;"',
        shell: 'bash',
      },
      {
        description: 'See who holds the connections.',
        command:
          'psql "$MLFLOW_DB_URI" -c "select usename, application_name, state, count(*) from pg_stat_activity group by 1,2,3 order by 4 desc;"',
        shell: 'bash',
      },
      {
        description: 'Check how big the database has grown.',
        command:
          'psql "$MLFLOW_DB_URI" -c "select pg_size_pretty(pg_database_size(current_database()));"',
        shell: 'bash',
      },
    ],
    likelyCauses: [
      'Too many server workers or clients, each with its own pool, exceeding max_connections',
      'Idle connections leaked by long-running jobs',
      'The database host is down, unreachable or out of disk',
    ],
    fix: [
      'Reduce server workers or pool size, or put a connection pooler (PgBouncer) in front of the database',
      'Terminate leaked idle sessions and fix the client that leaks them',
      'Bring the database back or give it more disk, then restart the tracking server',
    ],
    verify: [
      'Connection count stays well under max_connections during a busy training window',
      'The tracking health endpoint returns OK and runs log without errors',
    ],
    prevent: [
      'Alert on connection usage and database disk',
      'Size pools explicitly and document them next to the server configuration',
    ],
    related: [
      'incident-mlflow-down',
      'mlflow-server-unreachable',
      'mlflow-database-schema-or-lock',
    ],
    answersSymptoms: ['pipeline_failed', 'error_rate_high'],
    answersFailureClasses: ['database_connection'],
  },
];
