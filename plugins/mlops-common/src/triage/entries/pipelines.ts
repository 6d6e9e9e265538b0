import type { TriageEntry } from '../types';

/**
 * Pipeline and orchestrator problems (Prefect and Airflow).
 *
 * @public
 */
export const PIPELINE_ENTRIES: readonly TriageEntry[] = [
  {
    id: 'pipeline-task-failing',
    title: 'Pipeline run fails at a task',
    category: 'pipelines',
    summary:
      'A task in the flow or DAG raises an error and the run ends Failed. The task log almost always names the cause; start there, not with the code.',
    symptoms: [
      'The latest run of the pipeline is Failed or Crashed',
      'A stage does not execute because an earlier one failed',
      'Retries run out with the same error each time',
    ],
    triage: [
      {
        description: 'List recent failed runs of a Prefect flow.',
        command:
          'prefect flow-run ls --flow-name {{pipeline}} --state-type FAILED --limit 10',
        shell: 'bash',
      },
      {
        description:
          'Read the logs of the failed run (use the id from the list).',
        command: 'prefect flow-run logs "$FLOW_RUN_ID"',
        shell: 'bash',
      },
      {
        description: 'For Airflow, list failed DAG runs.',
        command: 'airflow dags list-runs -d {{pipeline}} --state failed',
        shell: 'bash',
      },
      {
        description:
          'For Airflow, show the state of every task in the failed run.',
        command: 'airflow tasks states-for-dag-run {{pipeline}} "$RUN_ID"',
        shell: 'bash',
      },
      {
        description:
          'If tasks run as pods, check for OOMKilled or evicted workers.',
        command:
          'kubectl get pods -n {{namespace}} --sort-by=.status.startTime | tail -20',
        shell: 'bash',
      },
    ],
    likelyCauses: [
      'Bad or missing input data (quality, schema, not arrived)',
      'A dependency missing from the worker image',
      'Memory or CPU limits too low for the task',
      'A code change in the task, or a prerequisite stage that did not complete',
    ],
    fix: [
      'Fix the cause the task log names, then re-run from the failed task rather than from scratch',
      'Install missing dependencies in the worker image',
      'Raise the task resources or process data in chunks',
    ],
    verify: ['A re-run completes all tasks and the outputs are fresh'],
    prevent: [
      'Keep tasks small and retry only the ones that can fail transiently',
      'Validate inputs at the start of each stage',
      'Alert on pipeline failures with a link to the run',
    ],
    related: [
      'input-data-missing-or-late',
      'data-quality-check-failed',
      'works-on-my-machine',
      'incident-etl-pipeline-failed-overnight',
    ],
    answersSymptoms: ['pipeline_failed'],
    answersFailureClasses: [
      'dependency_error',
      'code_error',
      'upstream_task_failed',
      'oom_killed',
      'timeout',
    ],
  },
  {
    id: 'pipeline-slow',
    title: 'Pipeline takes too long',
    category: 'pipelines',
    summary:
      'Runs complete but take much longer than they used to, so results arrive late and downstream schedules slip.',
    symptoms: [
      'Run duration well above its usual value',
      'Tasks time out or the next scheduled run starts before the previous one ends',
    ],
    triage: [
      {
        description: 'Compare durations of recent runs.',
        command: 'prefect flow-run ls --flow-name {{pipeline}} --limit 20',
        shell: 'bash',
      },
      {
        description: 'See whether workers are CPU or memory bound.',
        command: 'kubectl top pods -n {{namespace}}',
        shell: 'bash',
      },
    ],
    likelyCauses: [
      'Expensive steps recomputed on every run',
      'Steps that could run in parallel run one after another',
      'Too little compute for a grown data volume',
      'One slow task (a bad query, a slow API) dominating the run',
    ],
    fix: [
      'Cache expensive deterministic tasks (cache keys on inputs with an expiry)',
      'Run independent tasks concurrently or split data into chunks processed in parallel',
      'Give the workers more CPU or memory',
      'Profile the slowest task and fix it first',
    ],
    verify: ['Run duration back near its baseline'],
    prevent: [
      'Track run duration per task and alert on regressions',
      'Set timeouts so a stuck task fails instead of blocking the schedule',
    ],
    related: [
      'training-slow',
      'airflow-task-stuck',
      'pipeline-stuck-or-status-not-updating',
    ],
    answersSymptoms: ['pipeline_late'],
    answersFailureClasses: ['timeout'],
  },
  {
    id: 'pipeline-stuck-or-status-not-updating',
    title: 'Pipeline stuck or status not updating',
    category: 'pipelines',
    summary:
      'A run stays Running (or Pending) for much longer than usual, stages never start, or the status shown does not change.',
    symptoms: [
      'A run shows Running for hours with no new log lines',
      'Stages are never executed',
      'The status in the UI does not match what the workers are doing',
    ],
    triage: [
      {
        description: 'List runs still in progress.',
        command:
          'prefect flow-run ls --flow-name {{pipeline}} --state-type RUNNING',
        shell: 'bash',
      },
      {
        description: 'Check the orchestrator API is healthy.',
        command: 'curl -sf "$PREFECT_API_URL/health" && echo',
        shell: 'bash',
      },
      {
        description:
          'Check worker and task pods for Pending, evicted or restarting states.',
        command: 'kubectl get pods -n {{namespace}} -o wide',
        shell: 'bash',
      },
      {
        description: 'Look at the node resources the workers run on.',
        command: 'kubectl top nodes',
        shell: 'bash',
      },
    ],
    likelyCauses: [
      'The worker died or lost contact with the orchestrator, so nobody reports the state',
      'A task is waiting on resources (Pending pods, full queue)',
      'An endless loop or a call without a timeout in a task',
      'A stage is waiting on a prerequisite that will never be met',
    ],
    fix: [
      'Cancel the stuck run and start a new one once workers are healthy',
      'Free or add resources so pending work can schedule',
      'Add timeouts to the task and to external calls inside it',
      'Fix the stage dependency so it does not wait forever',
    ],
    verify: [
      'New runs progress through each stage and finish with a final state',
    ],
    prevent: [
      'Set a timeout on every flow and task',
      'Alert when a run exceeds its usual duration',
      'Make sure errors are raised (not swallowed) so the state is updated',
    ],
    related: [
      'airflow-task-stuck',
      'pipeline-runs-not-starting',
      'pods-pending-unschedulable',
    ],
    answersSymptoms: ['pipeline_late', 'pipeline_stale'],
    answersFailureClasses: ['timeout', 'insufficient_resources'],
  },
  {
    id: 'pipeline-runs-not-starting',
    title: 'Scheduled pipeline runs do not start',
    category: 'pipelines',
    summary:
      "The schedule should have produced runs but none started, or they sit in Scheduled/Late, so the pipeline's outputs go stale.",
    symptoms: [
      'No new runs since the last expected schedule time',
      'Runs pile up in Scheduled or Late state',
      'The model has not been retrained or re-scored on schedule',
    ],
    triage: [
      {
        description:
          'Check the deployment exists and has the expected schedule.',
        command: 'prefect deployment ls',
        shell: 'bash',
      },
      {
        description:
          'Look for runs stuck in a scheduled state (Late runs are listed here too).',
        command:
          'prefect flow-run ls --flow-name {{pipeline}} --state-type SCHEDULED',
        shell: 'bash',
      },
      {
        description:
          'Check a worker is polling the work pool the deployment uses.',
        command:
          'prefect work-pool ls && kubectl get pods -n {{namespace}} -l {{labelSelector}}',
        shell: 'bash',
      },
      {
        description: 'For Airflow, check the DAG is not paused.',
        command: 'airflow dags list | grep -i {{pipeline}}',
        shell: 'bash',
      },
    ],
    likelyCauses: [
      'No worker is polling the work pool or queue the deployment targets',
      'The deployment was never applied, or was applied without a schedule',
      'The schedule or DAG is paused',
      'Workers point at the wrong orchestrator API (PREFECT_API_URL)',
    ],
    fix: [
      'Start a worker for the right pool/queue and check it connects',
      'Apply the deployment with its schedule again',
      'Unpause the schedule or DAG',
      'Correct PREFECT_API_URL in the worker environment',
    ],
    verify: ['The next scheduled run starts on time and completes'],
    prevent: [
      'Alert on pipeline staleness (time since last successful run)',
      'Keep deployments and schedules in code and apply them from CI',
    ],
    related: [
      'pipeline-stuck-or-status-not-updating',
      'airflow-dag-not-loaded',
      'dvc-pipeline-not-rerunning',
    ],
    answersSymptoms: ['pipeline_stale', 'pipeline_late'],
    answersFailureClasses: [],
  },
  {
    id: 'airflow-webserver-fails',
    title: 'Airflow webserver does not start',
    category: 'pipelines',
    summary:
      'The Airflow webserver exits at start-up, usually because the port is taken, the metadata database is not initialised, or airflow.cfg is wrong.',
    symptoms: [
      '"Address already in use" on port 8080',
      'Errors asking you to initialise or migrate the database',
      'Config parse errors at start-up',
    ],
    triage: [
      {
        description: 'See what already listens on the webserver port.',
        command: 'lsof -i :8080',
        shell: 'bash',
      },
      {
        description: 'Check the metadata database is reachable.',
        command: 'airflow db check',
        shell: 'bash',
      },
      {
        description: 'Read the webserver start-up logs.',
        command: 'airflow webserver 2>&1 | tail -50',
        shell: 'bash',
      },
    ],
    likelyCauses: [
      'Another process already holds the port',
      'The metadata database was never initialised or migrated',
      'A typo or invalid value in airflow.cfg',
    ],
    fix: [
      'Stop the process holding the port, or start the webserver on another port',
      'Initialise or migrate the metadata database (airflow db migrate; db init on older versions)',
      'Correct airflow.cfg and restart',
    ],
    verify: ['The webserver starts and the UI loads'],
    prevent: [
      'Run Airflow with docker-compose or the Helm chart rather than by hand',
      'Document the local setup steps',
    ],
    related: ['mlflow-database-schema-or-lock', 'airflow-dag-not-loaded'],
    answersSymptoms: ['pipeline_stale'],
    answersFailureClasses: [
      'port_in_use',
      'database_migration_lock',
      'database_connection',
    ],
  },
  {
    id: 'airflow-dag-not-loaded',
    title: 'Airflow DAG does not appear',
    category: 'pipelines',
    summary:
      'The DAG file is deployed but Airflow does not list it, because parsing fails or the file is not where the scheduler looks.',
    symptoms: [
      'The DAG is missing from the UI and from airflow dags list',
      '"Broken DAG" banner in the UI',
      'No runs are scheduled for the pipeline',
    ],
    triage: [
      {
        description: 'List DAGs the scheduler knows.',
        command: 'airflow dags list | grep -i {{pipeline}}',
        shell: 'bash',
      },
      {
        description: 'Show parse errors for all DAG files.',
        command: 'airflow dags list-import-errors',
        shell: 'bash',
      },
      {
        description: 'Check which folder the scheduler reads.',
        command: 'airflow config get-value core dags_folder',
        shell: 'bash',
      },
      {
        description: 'Parse the file yourself to see the error directly.',
        command: 'python "$DAG_FILE"',
        shell: 'bash',
      },
    ],
    likelyCauses: [
      'Python syntax error in the DAG file',
      'The file is not in dags_folder',
      'An import in the DAG file fails because a package is missing on the scheduler',
    ],
    fix: [
      'Fix the syntax error',
      'Move the file into dags_folder (or fix the sync that puts it there)',
      'Install the missing dependency in the scheduler and worker images',
    ],
    verify: ['The DAG appears in the UI without a Broken DAG banner'],
    prevent: [
      'Pre-commit hooks and a CI test that imports every DAG',
      'Test DAGs locally before deploying them',
    ],
    related: ['pipeline-runs-not-starting', 'works-on-my-machine'],
    answersSymptoms: ['pipeline_stale'],
    answersFailureClasses: ['code_error', 'dependency_error'],
  },
  {
    id: 'airflow-task-stuck',
    title: 'Airflow task stuck in running or queued',
    category: 'pipelines',
    summary:
      'A task stays queued, running or up_for_retry far longer than normal, usually because it has no resources, is waiting on a failed upstream task, or is deadlocked.',
    symptoms: [
      'Task instance stays queued or running with no progress',
      'Downstream tasks wait with upstream_failed or no status',
      'Worker pods are Pending',
    ],
    triage: [
      {
        description:
          'Check the state of the task (replace the task id and date).',
        command: 'airflow tasks state {{pipeline}} "$TASK_ID" "$LOGICAL_DATE"',
        shell: 'bash',
      },
      {
        description: 'Ask Airflow why the task is not running.',
        command:
          'airflow tasks failed-deps {{pipeline}} "$TASK_ID" "$LOGICAL_DATE"',
        shell: 'bash',
      },
      {
        description: 'Check worker pods for Pending or resource problems.',
        command:
          'kubectl get pods -n {{namespace}} && kubectl top pods -n {{namespace}}',
        shell: 'bash',
      },
      {
        description:
          'Find the newest task log files for the DAG and read the last one.',
        command:
          'ls -t "$AIRFLOW_HOME"/logs/dag_id={{pipeline}}/*/task_id=*/*.log | head -5',
        shell: 'bash',
      },
    ],
    likelyCauses: [
      'Resource exhaustion: no worker slots, pool full or pods cannot be scheduled',
      'An upstream task failed, so this one waits forever',
      'A deadlock or lock wait inside the task',
    ],
    fix: [
      'Increase resources, worker slots or pool size',
      'Fix the upstream task, then clear it and its downstream tasks to retry',
      'Kill the stuck task, fix the locking, and clear it',
    ],
    verify: ['The task completes and downstream tasks start'],
    prevent: [
      'Set execution_timeout on tasks',
      'Add retries with a delay for transient failures',
      'Monitor worker and pool usage',
    ],
    related: [
      'pipeline-stuck-or-status-not-updating',
      'pods-pending-unschedulable',
      'pipeline-task-failing',
    ],
    answersSymptoms: ['pipeline_late'],
    answersFailureClasses: [
      'upstream_task_failed',
      'insufficient_resources',
      'timeout',
    ],
  },
];
