import {
  FAILURE_CLASSES,
  FAILURE_CLASS_IDS,
  classifyFailureReason,
  getFailureClass,
  isFailureClass,
  type FailureClass,
} from './failures';

describe('FAILURE_CLASSES', () => {
  it('defines every id once, in the order of FAILURE_CLASS_IDS', () => {
    expect(FAILURE_CLASSES.map(c => c.id)).toEqual([...FAILURE_CLASS_IDS]);
  });

  it('gives every class a title and at least one stateless pattern', () => {
    for (const c of FAILURE_CLASSES) {
      expect(c.title.trim()).not.toBe('');
      expect(c.patterns.length).toBeGreaterThan(0);
      for (const p of c.patterns) {
        // A global or sticky regex remembers lastIndex between test() calls
        // and would make classification depend on call history.
        expect(p.flags).not.toMatch(/[gy]/);
      }
    }
  });

  it('looks classes up by id', () => {
    expect(getFailureClass('oom_killed').id).toBe('oom_killed');
    expect(isFailureClass('disk_full')).toBe(true);
    expect(isFailureClass('unknown')).toBe(false);
  });
});

describe('classifyFailureReason', () => {
  const cases: Array<[string, FailureClass[]]> = [
    [
      'Last State:     Terminated\n      Reason:       OOMKilled\n      Exit Code:    137',
      ['oom_killed'],
    ],
    ['container "trainer" exited with code 137', ['oom_killed']],
    [
      'MemoryError: Unable to allocate 3.46 GiB for an array with shape (464, 1000000) and data type float64',
      ['oom_killed'],
    ],
    [
      'torch.cuda.OutOfMemoryError: CUDA out of memory. Tried to allocate 2.00 GiB (GPU 0; 15.78 GiB total capacity; 13.10 GiB already allocated)',
      ['cuda_out_of_memory'],
    ],
    ['RuntimeError: CUDA error: out of memory', ['cuda_out_of_memory']],
    [
      'WARNING torch.cuda.is_available() returned False, training on CPU',
      ['cuda_unavailable'],
    ],
    [
      'AssertionError: Torch not compiled with CUDA enabled',
      ['cuda_unavailable'],
    ],
    [
      "NVIDIA-SMI has failed because it couldn't communicate with the NVIDIA driver.",
      ['cuda_unavailable'],
    ],
    [
      'Warning  BackOff  3m (x25 over 8m)  kubelet  Back-off restarting failed container model-server',
      ['crash_loop_backoff'],
    ],
    [
      'fraud-model-5c7d9b-x2k   0/1   CrashLoopBackOff   7   12m',
      ['crash_loop_backoff'],
    ],
    [
      'Failed to pull image "registry.local/fraud:1.4": rpc error: code = NotFound desc = manifest unknown',
      ['image_pull_backoff'],
    ],
    ['Warning  Failed  kubelet  Error: ErrImagePull', ['image_pull_backoff']],
    [
      "requests.exceptions.ConnectionError: HTTPConnectionPool(host='mlflow', port=5000): Max retries exceeded with url: /api/2.0/mlflow/runs/create (Caused by NewConnectionError('Failed to establish a new connection: [Errno 111] Connection refused'))",
      ['mlflow_unreachable', 'network_error'],
    ],
    [
      'mlflow.exceptions.MlflowException: API request to http://mlflow:5000/api/2.0/mlflow/experiments/get-by-name failed with exception',
      ['mlflow_unreachable'],
    ],
    [
      'ConnectionRefusedError: [Errno 111] Connection refused while connecting to mlflow-server:5000',
      ['mlflow_unreachable', 'network_error'],
    ],
    [
      "alembic.util.exc.CommandError: Can't locate revision identified by 'cc1f77228345'",
      ['database_migration_lock'],
    ],
    [
      'INFO  [alembic.runtime.migration] Waiting for migration lock',
      ['database_migration_lock'],
    ],
    [
      'psycopg2.OperationalError: FATAL:  sorry, too many clients already',
      ['database_connection'],
    ],
    ['OSError: [Errno 28] No space left on device', ['disk_full']],
    [
      'botocore.exceptions.ClientError: An error occurred (AccessDenied) when calling the PutObject operation: Access Denied',
      ['artifact_store_error', 'permission_denied'],
    ],
    [
      'ERROR: failed to push data to the cloud - 3 files failed to upload',
      ['artifact_store_error'],
    ],
    ["ModuleNotFoundError: No module named 'xgboost'", ['dependency_error']],
    [
      "ImportError: cannot import name 'soft_unicode' from 'markupsafe'",
      ['dependency_error'],
    ],
    [
      'INFO:     10.0.0.12:53422 - "POST /predict HTTP/1.1" 422 Unprocessable Entity',
      ['validation_error'],
    ],
    [
      'pydantic_core._pydantic_core.ValidationError: 1 validation error for PredictRequest',
      ['validation_error'],
    ],
    [
      "FileNotFoundError: [Errno 2] No such file or directory: '/data/ml_input/2023-12-02/transactions.parquet'",
      ['data_missing'],
    ],
    ["KeyError: 'transaction_amount'", ['data_schema_mismatch']],
    [
      'ValueError: X has 12 features, but RandomForestClassifier is expecting 14 features as input.',
      ['data_schema_mismatch'],
    ],
    ['ValueError: Data quality too low: 72.00%', ['data_quality_check_failed']],
    [
      'ValueError: Model accuracy too low: 55.00%',
      ['model_quality_gate_failed'],
    ],
    [
      'mlflow.exceptions.RestException: RESOURCE_DOES_NOT_EXIST: Registered Model with name=fraud-detection not found',
      ['model_load_error'],
    ],
    ['airflow.exceptions.AirflowTaskTimeout: Timeout, PID: 4242', ['timeout']],
    [
      'error: deployment "fraud-model" exceeded its progress deadline',
      ['timeout'],
    ],
    [
      '[2024-01-01 03:12:44 +0000] [7] [CRITICAL] WORKER TIMEOUT (pid:42)',
      ['timeout'],
    ],
    [
      'Readiness probe failed: HTTP probe failed with statuscode: 503',
      ['probe_failed'],
    ],
    [
      'Warning  FailedScheduling  default-scheduler  0/4 nodes are available: 4 Insufficient memory.',
      ['insufficient_resources'],
    ],
    [
      'Error from server (Forbidden): pods is forbidden: User "system:serviceaccount:mlops:default" cannot list resource "pods" in API group "" in the namespace "mlops"',
      ['permission_denied'],
    ],
    [
      'socket.gaierror: [Errno -3] Temporary failure in name resolution',
      ['network_error'],
    ],
    [
      'requests.exceptions.HTTPError: 503 Server Error: Service Unavailable for url: https://api.external-source.com/v1/prices',
      ['upstream_api_error'],
    ],
    ['OSError: [Errno 98] Address already in use', ['port_in_use']],
    [
      'Broken DAG: [/opt/airflow/dags/train.py] SyntaxError: invalid syntax',
      ['code_error'],
    ],
    [
      'failed to get cpu utilization: unable to get metrics for resource cpu: no metrics returned from resource metrics API',
      ['metrics_unavailable'],
    ],
    ['Task train_model is in upstream_failed state', ['upstream_task_failed']],
  ];

  it.each(cases)('classifies %j', (line, expected) => {
    expect(classifyFailureReason(line)).toEqual(expected);
  });

  it('has at least 25 realistic cases', () => {
    expect(cases.length).toBeGreaterThanOrEqual(25);
  });

  it('covers every failure class with at least one realistic case', () => {
    const seen = new Set(cases.flatMap(([, expected]) => expected));
    expect(FAILURE_CLASS_IDS.filter(id => !seen.has(id))).toEqual([]);
  });

  const benign = [
    '',
    '   ',
    'Epoch 3/10 - loss: 0.2345 - val_loss: 0.2711 - accuracy: 0.9312',
    'INFO Model training completed successfully in 312.40 seconds',
    'INFO:     10.0.0.12:53422 - "POST /predict HTTP/1.1" 200 OK',
    'torch.cuda.is_available() returned True',
    'Successfully pulled image "registry.local/fraud:1.4" in 2.1s',
    'Normal  Started  kubelet  Started container model-server',
    'Data quality validation passed: 97.20%',
    'Model validation passed - Accuracy: 93.10%',
    'exec gunicorn --timeout 60 --workers 4 mlflow.server:app',
    'Uploaded 3 artifacts to s3://mlflow-artifacts/12/abc/artifacts',
    'Container exited with code 0',
    'Scaled up replica set fraud-model-7d9f to 3',
    'Connected to postgres at db:5432',
    'Memory usage: 512Mi of 1Gi limit',
    'Retrying in 30 seconds (attempt 2 of 3)',
    'timeout_seconds: 3600',
    'Registered model version 7 of fraud-detection',
    'Drift check finished: no drift detected in 14 features',
  ];

  it.each(benign)('leaves benign text unclassified: %j', line => {
    expect(classifyFailureReason(line)).toEqual([]);
  });

  it('is deterministic across repeated calls', () => {
    const line = 'OOMKilled after CUDA out of memory; No space left on device';
    const first = classifyFailureReason(line);
    expect(first).toEqual(['cuda_out_of_memory', 'oom_killed', 'disk_full']);
    for (let i = 0; i < 5; i++) {
      expect(classifyFailureReason(line)).toEqual(first);
    }
  });
});
