import type { TriageEntry } from '../types';

/**
 * Incident scenarios: multi-area production incidents with an ordered
 * investigation. They are broader than the single-problem entries and link
 * to them for the detailed steps.
 *
 * @public
 */
export const INCIDENT_ENTRIES: readonly TriageEntry[] = [
  {
    id: 'incident-model-accuracy-drop',
    title: 'Incident: production model accuracy drops sharply',
    category: 'incident-scenario',
    summary:
      'A model that held its accuracy for months (e.g. a fraud model at 95%) falls sharply within a week (e.g. to 78%), and users start complaining. Separate data problems from model and infrastructure problems before choosing between rollback and retraining.',
    symptoms: [
      'Accuracy down by many points over days',
      'Rising complaints or manual corrections',
      'Possibly drift alerts on key features',
    ],
    investigation: [
      'Data: look for distribution shifts in recent inputs and compare their statistics with the training data',
      'Data: check for missing or corrupted features and for changes in feature importance',
      'Infrastructure: read serving logs for errors and check CPU and memory of the serving pods',
      'Infrastructure: list recent deployments and configuration changes, and check the health of the feature/data pipelines',
      'Model: validate the model on recent labelled data',
      'Model: compare the prediction confidence distribution with earlier weeks',
      'Model: break errors down by customer segment and review any A/B test split',
      'Decide: roll back if a change caused it; retrain if the world changed; communicate status at a fixed cadence',
    ],
    triage: [
      {
        description: 'Recent rollouts of the serving deployment.',
        command:
          'kubectl rollout history deploy/{{deployment}} -n {{namespace}}',
        shell: 'bash',
      },
      {
        description: 'Errors in the serving logs over the last week.',
        command:
          'kubectl logs -n {{namespace}} -l {{labelSelector}} --since=168h | grep -i -c -E "error|exception"',
        shell: 'bash',
      },
      {
        description: 'Resource use of the serving pods.',
        command: 'kubectl top pods -n {{namespace}} -l {{labelSelector}}',
        shell: 'bash',
      },
      {
        description: 'Health of the feature/data pipeline runs.',
        command: 'prefect flow-run ls --flow-name {{pipeline}} --limit 20',
        shell: 'bash',
      },
      {
        description: 'Model versions and which one is in production.',
        command:
          'curl -sfG {{trackingUrl}}/api/2.0/mlflow/registered-models/get --data-urlencode name={{model}}',
        shell: 'bash',
      },
    ],
    likelyCauses: [
      'Data drift: new patterns (e.g. new fraud tactics) not present in training',
      'Feature pipeline issues after an upstream source change',
      'Model staleness: concept drift',
      'Infrastructure constraints degrading inference',
    ],
    fix: [
      'Roll back to the last good version if a deployment or config change lines up with the drop',
      'Fix the feature pipeline if inputs are broken',
      'Retrain on recent data and validate before promoting',
    ],
    verify: [
      'Accuracy is back near its long-run level',
      'Complaint volume returns to normal',
    ],
    prevent: [
      'Real-time drift detection',
      'Automated model validation pipelines',
      'Documented rollback procedure',
      'Performance dashboards',
    ],
    related: [
      'model-accuracy-degraded',
      'responding-to-confirmed-drift',
      'rolling-back-a-model',
      'incident-training-serving-skew',
    ],
    answersSymptoms: [
      'accuracy_degraded',
      'drift_detected',
      'data_quality_low',
    ],
    answersFailureClasses: [],
  },
  {
    id: 'incident-serving-pods-oom-killed',
    title: 'Incident: serving pods keep getting OOMKilled',
    category: 'incident-scenario',
    summary:
      'Model serving pods crash with OOMKilled and a sizeable share of requests (e.g. 30%) fail intermittently, although the same setup was fine a week ago.',
    symptoms: [
      'Pods restart with OOMKilled',
      'A share of requests fail intermittently',
      'Memory of the pods grows until they are killed',
    ],
    investigation: [
      'Assess: list pod status, describe a failing pod, check pod and node resource use and recent events',
      'Logs: read the previous container logs of a crashed pod, follow a live one, and check the kubelet journal on the node',
      'Resources: compare the deployment requests and limits with the measured memory, and watch memory inside a pod over time',
      'Decide whether the growth comes from the application (leak, large model, preprocessing spikes) or from load (more traffic than the replicas can hold)',
      'Mitigate without disturbing neighbours: raise the limit or add replicas in this namespace only, then fix the root cause',
    ],
    triage: [
      {
        description: 'Pod status and restarts.',
        command: 'kubectl get pods -n {{namespace}} -l {{labelSelector}}',
        shell: 'bash',
      },
      {
        description: 'Termination reason of the last crash.',
        command:
          'kubectl describe pods -n {{namespace}} -l {{labelSelector}} | grep -A6 "Last State"',
        shell: 'bash',
      },
      {
        description: 'Pod and node memory right now.',
        command:
          'kubectl top pods -n {{namespace}} -l {{labelSelector}} && kubectl top nodes',
        shell: 'bash',
      },
      {
        description: 'Recent events, newest last.',
        command:
          'kubectl get events -n {{namespace}} --sort-by=.lastTimestamp | tail -30',
        shell: 'bash',
      },
      {
        description: 'Logs from the container that was killed.',
        command:
          'kubectl logs -n {{namespace}} -l {{labelSelector}} --previous --tail=200',
        shell: 'bash',
      },
      {
        description: 'Configured requests and limits.',
        command:
          "kubectl get deploy {{deployment}} -n {{namespace}} -o jsonpath='{.spec.template.spec.containers[*].resources}'",
        shell: 'bash',
      },
      {
        description: 'Memory seen from inside a pod.',
        command:
          'kubectl exec -n {{namespace}} deploy/{{deployment}} -- grep -E "MemTotal|MemAvailable" /proc/meminfo',
        shell: 'bash',
      },
      {
        description: 'Kubelet messages about the kills, on the node.',
        command: 'journalctl -u kubelet -n 50 --no-pager',
        shell: 'bash',
      },
    ],
    likelyCauses: [
      'A memory leak in the inference code',
      'More traffic without more replicas or memory',
      'Large model artifacts held in memory (possibly one copy per worker)',
      'Preprocessing that materialises big intermediate data',
      "Memory limits too low for today's workload",
    ],
    fix: [
      'Raise the memory limit and/or replicas to stop the bleeding',
      'Fix the leak; share one model copy across workers; stream preprocessing',
      'Scale with traffic (HPA) and revisit limits from measured peaks',
    ],
    verify: [
      'No OOMKilled restarts for a full traffic cycle',
      'Error rate back to baseline',
    ],
    prevent: [
      'Memory usage alerts near the limit',
      'Load tests with production-like traffic',
      'Capacity planning per model',
    ],
    related: [
      'pod-crash-loop-backoff',
      'training-out-of-memory',
      'batch-job-out-of-memory',
      'hpa-autoscaler-thrash',
    ],
    answersSymptoms: ['error_rate_high', 'deployment_failed'],
    answersFailureClasses: ['oom_killed', 'crash_loop_backoff'],
  },
  {
    id: 'incident-etl-pipeline-failed-overnight',
    title: 'Incident: nightly data pipeline failed before retraining',
    category: 'incident-scenario',
    summary:
      'The daily ETL failed overnight (paged at 3 AM) and the retraining scheduled a few hours later has no new data. Assess impact fast, find the failure class, then choose a mitigation.',
    symptoms: [
      'Page: daily ETL pipeline failed',
      'No new training data in the landing area',
      'Scheduled retraining about to start on stale or missing data',
    ],
    investigation: [
      'Impact (about 5 minutes): confirm the failed run, check how fresh the data is, and check downstream services are healthy',
      'Diagnosis (about 10 minutes): ask the orchestrator why the task failed, look for infrastructure problems (pods, containers), and test external dependencies (DNS, ports)',
      'Classify the cause: data source (API down, DB connectivity, auth, source schema change), infrastructure (node failure, storage, network, resource exhaustion), or code/logic (recent change, validation failure, dependency conflict, config drift)',
      "Mitigate: reuse the previous day's data, or suspend today's retraining and keep the current model, or re-run a partial pipeline manually once the source is back",
      'Communicate to stakeholders with impact, decision and next update time, and schedule a post-incident review',
    ],
    triage: [
      {
        description: 'Failed runs of the DAG.',
        command: 'airflow dags list-runs -d {{pipeline}} --state failed',
        shell: 'bash',
      },
      {
        description: 'Freshness of the input data.',
        command:
          'aws s3 ls "s3://$DATA_BUCKET/$DATA_PREFIX/" --recursive | sort | tail -10',
        shell: 'bash',
      },
      {
        description: 'Why the extraction task did not run or failed.',
        command:
          'airflow tasks failed-deps {{pipeline}} "$TASK_ID" "$LOGICAL_DATE"',
        shell: 'bash',
      },
      {
        description: 'Pipeline pods.',
        command: 'kubectl get pods -n {{namespace}}',
        shell: 'bash',
      },
      {
        description: 'External source reachability.',
        command: 'nslookup "$SOURCE_HOST" && nc -vz -w 5 "$SOURCE_HOST" 443',
        shell: 'bash',
      },
      {
        description:
          'Mitigation: pause the retraining CronJob so it does not train on stale data.',
        command:
          'kubectl patch cronjob "$TRAINING_CRONJOB" -n {{namespace}} -p \'{"spec":{"suspend":true}}\'',
        shell: 'bash',
      },
      {
        description:
          'Mitigation: re-run the extraction task for the day once the cause is fixed.',
        command:
          'airflow tasks run {{pipeline}} "$TASK_ID" "$LOGICAL_DATE" --local',
        shell: 'bash',
      },
    ],
    likelyCauses: [
      'Data source issues: external API down, database unreachable, auth failure, schema change at the source',
      'Infrastructure: node failure, storage volume problems, network, resource exhaustion',
      'Code/logic: recent pipeline change, validation failure, dependency conflict, configuration drift',
    ],
    fix: [
      'Fix the underlying cause and re-run from the failed task',
      "If the source will not be back in time, train on yesterday's data or skip today's retraining and keep the current model",
      'Unsuspend the retraining job once fresh data is in place',
    ],
    verify: [
      'Fresh data present',
      'Retraining ran (or was deliberately skipped) and the model in production is healthy',
    ],
    prevent: [
      'Freshness checks and sensors',
      'Retries with backoff on extraction',
      'A documented decision framework for manual versus automated recovery',
    ],
    related: [
      'input-data-missing-or-late',
      'external-dependency-unreachable',
      'pipeline-task-failing',
      'data-schema-mismatch',
    ],
    answersSymptoms: ['pipeline_failed', 'pipeline_stale', 'pipeline_late'],
    answersFailureClasses: [
      'data_missing',
      'upstream_api_error',
      'database_connection',
      'network_error',
    ],
  },
  {
    id: 'incident-serving-latency-spike',
    title: 'Incident: inference latency spikes and autoscaling does not help',
    category: 'incident-scenario',
    summary:
      'Latency jumps by an order of magnitude or more (e.g. 50 ms to 2 s), load balancer health checks fail, and the autoscaler adds pods that do not help, which points at a bottleneck the pods share or bring with them.',
    symptoms: [
      'p95 latency many times normal',
      'Load balancer health checks failing',
      'More replicas without any improvement',
    ],
    investigation: [
      'Application: measure model load time, profile the predict call, and measure memory used during inference',
      'Infrastructure: check container resource use, CPU and memory pressure and I/O wait on the node, and network path to the service',
      'Storage and database: check the database connection pool and I/O wait, and test file system throughput',
      'Narrow down to model, infrastructure or code, and explain why extra replicas do not help (shared dependency, cold starts, throttling)',
    ],
    triage: [
      {
        description: 'Time the health endpoint.',
        command:
          "curl -s -o /dev/null -w '%{time_total}s\\n' {{servingUrl}}/health",
        shell: 'bash',
      },
      {
        description: 'Pod resource use.',
        command: 'kubectl top pods -n {{namespace}} -l {{labelSelector}}',
        shell: 'bash',
      },
      {
        description: 'CPU, memory and I/O on the node.',
        command: 'sar -u 1 10; sar -r 1 10; iostat -x 1 10',
        shell: 'bash',
      },
      {
        description: 'Database sessions in use.',
        command:
          'psql "$APP_DB_URI" -c "select state, count(*) from pg_stat_activity group by state;"',
        shell: 'bash',
      },
      {
        description: 'Listening sockets in a pod.',
        command:
          'kubectl exec -n {{namespace}} deploy/{{deployment}} -- ss -tln',
        shell: 'bash',
      },
      {
        description: 'Where the service spends time.',
        command:
          'kubectl exec -n {{namespace}} deploy/{{deployment}} -- py-spy dump --pid 1',
        shell: 'bash',
      },
    ],
    likelyCauses: [
      'Model: size causes swapping, inefficient inference code, cold start when loading, slow feature engineering',
      'Infrastructure: CPU throttling, network latency to external services, storage I/O bottleneck, memory pressure and garbage collection',
      'Code: inefficient algorithms, memory leaks, blocking I/O, poor connection pool management',
    ],
    fix: [
      'Fix the bottleneck found (raise CPU limit, size the connection pool, load the model once at start-up, make I/O non-blocking)',
      'Warm pods before they receive traffic',
      'Only then tune the autoscaler',
    ],
    verify: ['p95 latency back near baseline and health checks pass'],
    prevent: [
      'Load tests before release',
      'Latency SLO alerts',
      'Safe production profiling',
    ],
    related: [
      'serving-high-latency',
      'hpa-autoscaler-thrash',
      'mlflow-database-connections-exhausted',
    ],
    answersSymptoms: ['latency_high', 'error_rate_high'],
    answersFailureClasses: ['timeout', 'probe_failed', 'database_connection'],
  },
  {
    id: 'incident-mlflow-down',
    title: 'Incident: MLflow tracking and registry down',
    category: 'incident-scenario',
    summary:
      'Nobody can open the MLflow UI, runs are not logged and the registry is unavailable, blocking the whole ML team. Check the server, then its database, then its artifact store.',
    symptoms: [
      'MLflow UI unreachable',
      'Experiments not logged; training jobs fail or log locally',
      'Model registry unavailable, so deployments that load from it fail',
    ],
    investigation: [
      'Service: check the health endpoint, the process or pod status',
      'Dependencies: check the database is ready and the artifact bucket is reachable',
      'Database: test a query, check database size and compare open connections with max_connections',
      'Storage: check bucket reachability, MinIO health and free space on the artifact volume',
      'Recover: restart the server with correct backend settings and a longer worker timeout, fix artifact permissions, or temporarily point at alternative storage',
      'Communicate with the affected teams and keep metadata backups in mind for disaster recovery',
    ],
    triage: [
      {
        description: 'Server health.',
        command: 'curl -sf {{trackingUrl}}/health && echo',
        shell: 'bash',
      },
      {
        description: 'Pods of the server.',
        command: 'kubectl get pods -n {{namespace}} -l app=mlflow',
        shell: 'bash',
      },
      {
        description: 'Database readiness.',
        command: 'pg_isready -h "$DB_HOST" -p 5432',
        shell: 'bash',
      },
      {
        description: 'Database size and connections.',
        command:
          'psql "$MLFLOW_DB_URI" -c "select pg_size_pretty(pg_database_size(current_database()));" -c "show max_connections;" -c "select count(*) from pg_stat_activity;"',
        shell: 'bash',
      },
      {
        description: 'Artifact bucket reachability.',
        command: 'aws s3api head-bucket --bucket "$ARTIFACT_BUCKET"',
        shell: 'bash',
      },
      {
        description: 'Artifact volume free space.',
        command: 'kubectl exec -n {{namespace}} deploy/{{deployment}} -- df -h',
        shell: 'bash',
      },
    ],
    likelyCauses: [
      'Server process or pod down',
      'Backend database unreachable, full, or out of connections',
      'Artifact store permissions or capacity problems',
      'Gunicorn workers timing out on slow requests',
    ],
    fix: [
      'Restart the server with correct backend store and artifact root, and a longer gunicorn timeout if workers time out',
      'Restore the database (connections, disk, migration state)',
      'Fix the bucket policy',
      'As a last resort, temporarily point at alternative storage and migrate back later',
    ],
    verify: ['UI loads, runs log, models load from the registry'],
    prevent: [
      'Health checks and alerts on the server, database and bucket',
      'Backups of the metadata database',
      'A tested recovery runbook',
    ],
    related: [
      'mlflow-server-unreachable',
      'mlflow-database-connections-exhausted',
      'mlflow-database-schema-or-lock',
      'mlflow-artifact-upload-fails',
    ],
    answersSymptoms: [
      'pipeline_failed',
      'deployment_failed',
      'error_rate_high',
    ],
    answersFailureClasses: [
      'mlflow_unreachable',
      'database_connection',
      'artifact_store_error',
      'disk_full',
      'timeout',
    ],
  },
  {
    id: 'incident-training-serving-skew',
    title: 'Incident: feature values differ between training and serving',
    category: 'incident-scenario',
    summary:
      'Predictions in production disagree with offline results because the feature store returns different values for the same entity and time at serving than at training.',
    symptoms: [
      'The same input gets different predictions offline and online',
      'Feature values for one entity and timestamp differ between the training set and the online store',
      'Accuracy in production well below offline evaluation',
    ],
    investigation: [
      'Lineage: take a few entities and timestamps and compare the training feature values with what the online store serves',
      'Pipeline: run the training and serving feature code on the same inputs and compare outputs within a small tolerance',
      'Schema: check the feature tables for column or type changes and for features stored with more than one type',
      'Classify: code (different logic, library versions, timezones, rounding), data (late data, different sources, unmigrated schema changes, point-in-time violations), or infrastructure (clock skew, stale caches, replication lag, network partitions)',
    ],
    triage: [
      {
        description:
          'Columns and types of the feature table (replace the table name).',
        command:
          "select column_name, data_type, is_nullable from information_schema.columns where table_name = 'user_features' order by ordinal_position;",
        shell: 'sql',
      },
      {
        description:
          'Library versions in the serving image, to compare with training.',
        command:
          'kubectl exec -n {{namespace}} deploy/{{deployment}} -- pip freeze',
        shell: 'bash',
      },
      {
        description:
          'Clock of a serving pod, to compare with the feature pipeline hosts.',
        command:
          'kubectl exec -n {{namespace}} deploy/{{deployment}} -- date -u',
        shell: 'bash',
      },
    ],
    likelyCauses: [
      'Different feature logic in training and serving code paths',
      'Library version differences',
      'Timezone handling, rounding or precision differences',
      'Late-arriving data, different sources, schema changes without migration, point-in-time violations',
      'Clock skew, caching, replication lag',
    ],
    fix: [
      'Share one feature implementation between training and serving',
      'Pin the same library versions in both',
      'Normalise timezones and precision',
      'Enforce point-in-time joins and migrate schemas properly',
    ],
    verify: [
      'Feature values match for sampled entities and timestamps',
      'Online and offline predictions agree',
    ],
    prevent: [
      'Skew tests in CI comparing both code paths',
      'Schema evolution process for the feature store',
      'Governance on feature definitions',
    ],
    related: [
      'data-schema-mismatch',
      'incident-model-accuracy-drop',
      'works-on-my-machine',
    ],
    answersSymptoms: [
      'accuracy_degraded',
      'data_quality_low',
      'drift_detected',
    ],
    answersFailureClasses: ['data_schema_mismatch'],
  },
];
