import type { TriageEntry } from '../types';

/**
 * Data problems: DVC remotes and pipelines, schemas, data quality and data
 * that has not arrived.
 *
 * @public
 */
export const DATA_VERSIONING_ENTRIES: readonly TriageEntry[] = [
  {
    id: 'dvc-remote-access-denied',
    title: 'DVC remote access denied',
    category: 'data-versioning',
    summary:
      'dvc push or dvc pull fails against the S3 remote because credentials are missing, point at the wrong bucket, or lack permission.',
    symptoms: [
      'dvc push / dvc pull fails with AccessDenied, 403 or "Unable to locate credentials"',
      'CI cannot fetch the data the training step needs',
    ],
    triage: [
      {
        description: 'Show the configured remotes and their URLs.',
        command: 'dvc remote list -v',
        shell: 'bash',
      },
      {
        description: 'Check which cloud identity the shell or CI job is using.',
        command: 'aws sts get-caller-identity',
        shell: 'bash',
      },
      {
        description:
          'Try to list the remote bucket directly with the same credentials.',
        command:
          'aws s3 ls "$(dvc remote list | awk \'NR==1 {print $2}\')/" | head',
        shell: 'bash',
      },
    ],
    likelyCauses: [
      'No AWS credentials in the environment (or expired ones)',
      'The remote URL points at the wrong bucket or prefix',
      'The IAM role or user has no read/write permission on the bucket',
    ],
    fix: [
      'Provide credentials via a role or profile (and set the remote profile option if you use named profiles)',
      'Correct the bucket name in .dvc/config',
      'Attach a policy allowing list, get and put on the remote prefix',
    ],
    verify: ['dvc push and dvc pull succeed from the same environment'],
    prevent: [
      'Use IAM roles in CI and on the cluster instead of personal keys',
      'Document the remote setup and test a dvc pull in CI',
    ],
    related: ['mlflow-artifact-upload-fails', 'rbac-permission-denied'],
    answersSymptoms: ['pipeline_failed'],
    answersFailureClasses: ['permission_denied', 'artifact_store_error'],
  },
  {
    id: 'dvc-pipeline-not-rerunning',
    title: 'DVC pipeline does not re-run',
    category: 'data-versioning',
    summary:
      'dvc repro says everything is up to date even though inputs changed, so the models and data downstream are stale.',
    symptoms: [
      'dvc repro reports that stages did not change and skips them',
      'Outputs and metrics stay the same after you changed a script or data file',
      'The model behind an entity has not been retrained for longer than expected',
    ],
    triage: [
      {
        description: 'See which stages DVC thinks are out of date.',
        command: 'dvc status',
        shell: 'bash',
      },
      {
        description:
          'Print the stage graph and check the changed file is a declared dependency.',
        command: 'dvc dag',
        shell: 'bash',
      },
      {
        description:
          'Inspect the stage definitions for missing deps or params.',
        command: 'cat dvc.yaml',
        shell: 'bash',
      },
    ],
    likelyCauses: [
      'Nothing DVC tracks changed, so the cached result is reused (working as designed)',
      'The changed script, config or data is not listed as a dependency (deps/params) of the stage',
    ],
    fix: [
      'Add the missing files with -d (or deps/params in dvc.yaml) so changes invalidate the stage',
      'Force a rebuild once with dvc repro --force when you know the cache is wrong',
    ],
    verify: [
      'The stage runs and its outputs change after the dependency changes',
    ],
    prevent: [
      'Declare every script, config and data input of a stage as a dependency',
      'Rely on DVC checksums rather than timestamps and review dvc.yaml changes in code review',
    ],
    related: ['non-reproducible-results', 'pipeline-runs-not-starting'],
    answersSymptoms: ['pipeline_stale'],
    answersFailureClasses: [],
  },
  {
    id: 'data-schema-mismatch',
    title: 'Data schema does not match what the code expects',
    category: 'data-versioning',
    summary:
      'A column was renamed, removed or changed type upstream, or the wrong data version was pulled, so loading, feature code or prediction fails.',
    symptoms: [
      'KeyError on a column name, "missing columns" or "X has N features, but the model is expecting M"',
      'Type errors such as "could not convert string to float"',
      'Predictions look wrong right after an upstream release even though nothing failed',
    ],
    triage: [
      {
        description:
          'Check which data version the workspace has and whether it matches the commit.',
        command: 'dvc status && dvc diff',
        shell: 'bash',
      },
      {
        description:
          'Print column names and types of a sample of the input (adjust the path).',
        command:
          'python -c \'import pandas as pd, sys; df = pd.read_csv(sys.argv[1], nrows=1000); print(df.dtypes); print(df.head())\' "$INPUT_FILE"',
        shell: 'bash',
      },
      {
        description:
          'For a database source, list the columns and types of the source table.',
        command:
          "select column_name, data_type, is_nullable from information_schema.columns where table_name = 'your_table' order by ordinal_position;",
        shell: 'sql',
      },
    ],
    likelyCauses: [
      'The source schema changed (renamed, dropped or retyped columns)',
      'The wrong DVC data version is checked out',
      'A preprocessing bug drops or reorders columns',
    ],
    fix: [
      'Update the expected schema and feature code for the new source, or ask the source team to restore the contract',
      'Check out and pull the data version the code was written for (git checkout + dvc pull)',
      'Fix the preprocessing step and re-run the pipeline from it',
    ],
    verify: [
      'The data loads without errors and the feature columns match the model signature',
    ],
    prevent: [
      'Validate the schema at the start of the pipeline and fail with a clear message',
      'Version data together with code, and announce schema changes to downstream teams',
    ],
    related: [
      'data-quality-check-failed',
      'incident-training-serving-skew',
      'serving-request-validation-errors',
    ],
    answersSymptoms: ['pipeline_failed', 'data_quality_low'],
    answersFailureClasses: ['data_schema_mismatch'],
  },
  {
    id: 'data-quality-check-failed',
    title: 'Data quality check failed or quality is low',
    category: 'data-versioning',
    summary:
      'The input has too many missing values, duplicates or missing required columns, so the quality check stops the pipeline or the quality score drops.',
    symptoms: [
      'The data validation task fails with "data quality too low"',
      'The missing-value or duplicate ratio jumps compared with earlier runs',
      'Required columns are reported missing',
    ],
    triage: [
      {
        description:
          'Find the failing run and read the quality report it logged.',
        command:
          'prefect flow-run ls --flow-name {{pipeline}} --state-type FAILED --limit 5',
        shell: 'bash',
      },
      {
        description:
          'Measure missing and duplicate ratios of the input yourself to see which columns are to blame.',
        command:
          'python -c \'import pandas as pd, sys; df = pd.read_csv(sys.argv[1]); print(df.isna().mean().sort_values(ascending=False).head(10)); print("duplicate ratio", df.duplicated().mean())\' "$INPUT_FILE"',
        shell: 'bash',
      },
    ],
    likelyCauses: [
      'An upstream source delivered partial data or nulls in a column that used to be filled',
      'A join or deduplication step upstream broke and produced duplicates',
      'A schema change removed required columns',
    ],
    fix: [
      'Contact the source owner and get the data re-delivered, then re-run from ingestion',
      'Fix the join or dedup logic and re-run the affected steps',
      'Do not lower the threshold to make the check pass without understanding the cause',
    ],
    verify: [
      'The quality check passes with a score similar to earlier healthy runs',
    ],
    prevent: [
      'Keep quality checks (missing ratio, duplicate ratio, required columns) as the first pipeline step',
      'Track the quality score per run so slow decline is visible before it fails',
    ],
    related: [
      'data-schema-mismatch',
      'input-data-missing-or-late',
      'model-validation-gate-failed',
    ],
    answersSymptoms: ['data_quality_low', 'pipeline_failed'],
    answersFailureClasses: ['data_quality_check_failed'],
  },
  {
    id: 'input-data-missing-or-late',
    title: 'Input data is missing or late',
    category: 'data-versioning',
    summary:
      'The files or partitions a pipeline reads have not arrived, so it fails with file-not-found or trains on old data.',
    symptoms: [
      'FileNotFoundError / NoSuchKey / "Path does not exist" in the ingestion step',
      'The newest partition in the landing area is from yesterday or older',
      'Downstream training is about to run without fresh data',
    ],
    triage: [
      {
        description:
          'List the newest objects in the landing prefix to see when data last arrived.',
        command:
          'aws s3 ls "s3://$DATA_BUCKET/$DATA_PREFIX/" --recursive | sort | tail -10',
        shell: 'bash',
      },
      {
        description: 'For a mounted volume, list the newest files instead.',
        command: 'ls -lt "$DATA_DIR" | head -10',
        shell: 'bash',
      },
      {
        description: 'Check whether the upstream extraction runs succeeded.',
        command: 'airflow dags list-runs -d {{pipeline}} --state failed',
        shell: 'bash',
      },
    ],
    likelyCauses: [
      'The upstream producer failed or is late',
      'The pipeline runs before the data usually lands (schedule too early)',
      'Path or date partition naming changed',
    ],
    fix: [
      'Get the upstream job fixed or re-run, then re-run ingestion for the missing period',
      "If training cannot wait, decide explicitly: reuse the previous day's data, or skip this retraining and keep the current model",
      'Align the path template with the new naming',
    ],
    verify: ['The expected partition exists and the pipeline run succeeds'],
    prevent: [
      'Wait for data with a sensor or freshness check instead of a fixed time',
      'Alert on data freshness separately from pipeline failure',
    ],
    related: [
      'incident-etl-pipeline-failed-overnight',
      'external-dependency-unreachable',
      'pipeline-task-failing',
    ],
    answersSymptoms: ['pipeline_failed', 'pipeline_stale', 'pipeline_late'],
    answersFailureClasses: ['data_missing'],
  },
];
