import type { TriageEntry } from '../types';

/**
 * Training and experiment problems: memory, speed, GPUs, generalisation and
 * reproducibility.
 *
 * @public
 */
export const TRAINING_ENTRIES: readonly TriageEntry[] = [
  {
    id: 'training-out-of-memory',
    title: 'Training job runs out of memory (OOM)',
    category: 'training',
    summary:
      'The training process is killed by the kernel or Kubernetes (OOMKilled, exit 137), or PyTorch reports CUDA out of memory part-way through an epoch.',
    symptoms: [
      'Training pod restarts or ends with reason OOMKilled / exit code 137',
      'Traceback ends in "CUDA out of memory. Tried to allocate ..."',
      'The pipeline run fails at the training step with no Python traceback at all',
      'Memory climbs steadily across epochs until the job dies',
    ],
    triage: [
      {
        description:
          'See why the last container ended; look for OOMKilled and exit code 137 under Last State.',
        command:
          'kubectl get pods -n {{namespace}} -l {{labelSelector}} -o custom-columns=NAME:.metadata.name,REASON:.status.containerStatuses[*].lastState.terminated.reason,EXIT:.status.containerStatuses[*].lastState.terminated.exitCode',
        shell: 'bash',
      },
      {
        description:
          'Compare live memory use of the training pods with their limits.',
        command: 'kubectl top pods -n {{namespace}} -l {{labelSelector}}',
        shell: 'bash',
      },
      {
        description: 'Read the memory request and limit the job actually got.',
        command:
          'kubectl get pods -n {{namespace}} -l {{labelSelector}} -o jsonpath=\'{range .items[*]}{.metadata.name}{"\\t"}{.spec.containers[*].resources}{"\\n"}{end}\'',
        shell: 'bash',
      },
      {
        description:
          'On a GPU node, watch GPU memory while the job runs to see how close it gets to the card size.',
        command:
          'nvidia-smi --query-gpu=index,memory.used,memory.total,utilization.gpu --format=csv -l 5',
        shell: 'bash',
      },
      {
        description:
          'When running locally or under Docker, watch per-container memory instead.',
        command: 'docker stats --no-stream',
        shell: 'bash',
      },
    ],
    likelyCauses: [
      'Batch size too large for the host RAM or the GPU memory',
      'Model (or the optimiser state that comes with it) too big for the card',
      'A memory leak: tensors, losses or dataframes kept alive across iterations (e.g. appending loss tensors instead of loss.item())',
      'Pod memory limit set below what the job needs with production-sized data',
    ],
    fix: [
      'Halve the batch size and re-run; use gradient accumulation if the effective batch size must stay the same',
      'Turn on gradient checkpointing and mixed precision (torch.autocast / AMP) to cut activation memory',
      'Raise the pod memory limit (and request) to cover the measured peak plus headroom',
      'Detach or convert values you keep for logging (loss.item()) and free large intermediates between epochs',
    ],
    verify: [
      'The training run completes and logs its final metrics',
      'Peak memory in kubectl top / nvidia-smi stays comfortably under the limit for a full epoch',
    ],
    prevent: [
      'Always set memory requests and limits on training jobs, sized from a profiled run',
      'Track memory use as a metric of each run so growth shows up before it kills a job',
      'Prefer smaller model variants or mixed precision by default for large models',
    ],
    related: [
      'batch-job-out-of-memory',
      'incident-serving-pods-oom-killed',
      'cuda-not-available',
    ],
    answersSymptoms: ['pipeline_failed'],
    answersFailureClasses: ['oom_killed', 'cuda_out_of_memory'],
  },
  {
    id: 'training-slow',
    title: 'Training is much slower than it should be',
    category: 'training',
    summary:
      'Epochs take far longer than the baseline, usually because the GPU is not used or is starved by data loading.',
    symptoms: [
      'An epoch takes several times longer than in earlier runs',
      'GPU utilisation stays low (or there is no GPU process at all) while CPU sits at 100%',
      'High I/O wait on the node during training',
      'Scheduled retraining finishes late and downstream steps start late',
    ],
    triage: [
      {
        description:
          'Check that the GPU is visible and busy; near-zero utilisation means it is idle or starved.',
        command: 'nvidia-smi',
        shell: 'bash',
      },
      {
        description:
          'Confirm the framework actually sees a GPU from inside the training container.',
        command:
          "kubectl exec -n {{namespace}} deploy/{{deployment}} -- python -c 'import torch; print(torch.cuda.is_available(), torch.cuda.device_count())'",
        shell: 'bash',
      },
      {
        description:
          'Look at CPU load and I/O wait (the wa column) on the host while the job runs.',
        command: 'top -b -n 1 | head -20 && iostat -x 1 5',
        shell: 'bash',
      },
      {
        description:
          'Profile a short run to see whether time goes into the model or into the data pipeline.',
        command: 'py-spy top --pid "$TRAINING_PID"',
        shell: 'bash',
      },
    ],
    likelyCauses: [
      'No GPU acceleration: the model or the batches stay on the CPU',
      'Data loading is the bottleneck (single-process loader, slow storage, heavy per-sample preprocessing)',
      'Batch size so small that the GPU spends most of its time waiting',
    ],
    fix: [
      'Move model and batches to the GPU and make sure CUDA is available (see the CUDA entry)',
      'Use a DataLoader with several workers and pinned memory, and cache preprocessed data',
      'Increase the batch size as far as memory allows',
    ],
    verify: [
      'Training time drops to under half of the slow baseline',
      'GPU utilisation stays high during epochs',
    ],
    prevent: [
      'Profile new training code before it goes into the scheduled pipeline',
      'Run training on GPU-enabled images by default',
      'Record epoch duration as a run metric and alert when it jumps',
    ],
    related: [
      'cuda-not-available',
      'pipeline-slow',
      'slow-hyperparameter-tuning',
    ],
    answersSymptoms: ['pipeline_late'],
    answersFailureClasses: [],
  },
  {
    id: 'cuda-not-available',
    title: 'CUDA / GPU not found by the training job',
    category: 'training',
    summary:
      'The framework reports no GPU, so the job either fails or silently falls back to the CPU.',
    symptoms: [
      'torch.cuda.is_available() returns False',
      '"Torch not compiled with CUDA enabled" or "no CUDA-capable device is detected"',
      'nvidia-smi is missing or fails inside the container',
      'The pod stays Pending with "Insufficient nvidia.com/gpu"',
    ],
    triage: [
      {
        description:
          'Check the driver and the card from the node or container.',
        command: 'nvidia-smi',
        shell: 'bash',
      },
      {
        description: 'See which CUDA toolkit is installed, if any.',
        command: 'nvcc --version',
        shell: 'bash',
      },
      {
        description:
          'Ask PyTorch whether it was built with CUDA and whether it can see a device.',
        command:
          "python -c 'import torch; print(torch.__version__, torch.version.cuda, torch.cuda.is_available())'",
        shell: 'bash',
      },
      {
        description:
          'Check the pod actually requested a GPU and landed on a GPU node.',
        command:
          'kubectl get pods -n {{namespace}} -l {{labelSelector}} -o jsonpath=\'{range .items[*]}{.metadata.name}{"\\t"}{.spec.nodeName}{"\\t"}{.spec.containers[*].resources.limits}{"\\n"}{end}\'',
        shell: 'bash',
      },
    ],
    likelyCauses: [
      'NVIDIA drivers not installed on the node (or the device plugin is not running)',
      'A CPU-only PyTorch wheel, or a wheel built for a different CUDA version',
      'Container started without GPU access (no nvidia.com/gpu limit, no GPU runtime)',
    ],
    fix: [
      'Install the NVIDIA driver and device plugin on the GPU nodes',
      'Install the CUDA-enabled PyTorch build that matches the driver',
      'Build from a GPU-enabled base image and request nvidia.com/gpu in the pod spec',
    ],
    verify: [
      'torch.cuda.is_available() prints True inside the training container',
      'nvidia-smi lists the training process while the job runs',
    ],
    prevent: [
      'Use pre-built ML base images with a known CUDA/PyTorch pairing',
      'Document GPU requirements next to the training job and fail fast when no GPU is present',
    ],
    related: ['training-slow', 'training-out-of-memory', 'works-on-my-machine'],
    answersSymptoms: ['pipeline_failed', 'pipeline_late'],
    answersFailureClasses: ['cuda_unavailable'],
  },
  {
    id: 'model-overfitting',
    title: 'Model overfits',
    category: 'training',
    summary:
      'Training loss keeps improving while validation loss stalls or rises, so the model does well offline and poorly on new data.',
    symptoms: [
      'Validation loss diverges upwards from training loss after a few epochs',
      'Very high training accuracy with much lower validation or production accuracy',
      'Accuracy drops soon after a new version is promoted',
    ],
    triage: [
      {
        description:
          'Find the experiment id, then pick the latest run from it in the tracking UI or API.',
        command:
          'curl -sfG {{trackingUrl}}/api/2.0/mlflow/experiments/get-by-name --data-urlencode experiment_name={{experiment}}',
        shell: 'bash',
      },
      {
        description:
          'Pull the per-epoch training and validation loss of that run and look for the epoch where they part ways.',
        command:
          'for m in loss val_loss; do curl -sfG {{trackingUrl}}/api/2.0/mlflow/metrics/get-history --data-urlencode run_id="$RUN_ID" --data-urlencode metric_key=$m; echo; done',
        shell: 'bash',
      },
      {
        description:
          'Review the run parameters: model size, regularisation, number of epochs, data split.',
        command:
          'MLFLOW_TRACKING_URI={{trackingUrl}} mlflow runs describe --run-id "$RUN_ID"',
        shell: 'bash',
      },
    ],
    likelyCauses: [
      'Model too complex for the amount of data',
      'Not enough training data, or too little variety in it',
      'Data leakage: information from the validation set or from the future reaches training',
    ],
    fix: [
      'Add regularisation (weight decay, dropout), reduce model size, stop early on validation loss',
      'Collect more or more varied data',
      'Audit the split and feature code for leakage and rebuild the split if needed',
    ],
    verify: [
      'Validation loss decreases and tracks training loss',
      'Offline validation accuracy matches what is seen on fresh data',
    ],
    prevent: [
      'Use cross-validation and keep an untouched hold-out set',
      'Log validation metrics on every run and gate promotion on them',
      'Check data splits (by time or entity) as part of the pipeline',
    ],
    related: ['model-validation-gate-failed', 'model-accuracy-degraded'],
    answersSymptoms: ['accuracy_degraded'],
    answersFailureClasses: ['model_quality_gate_failed'],
  },
  {
    id: 'non-reproducible-results',
    title: 'Training results are not reproducible',
    category: 'training',
    summary:
      'Re-running the same training gives different metrics, so you cannot tell whether a change helped.',
    symptoms: [
      'Two runs with the same parameters report noticeably different metrics',
      'A colleague cannot reproduce a logged run',
      'A model retrained from the "same" data behaves differently in production',
    ],
    triage: [
      {
        description:
          'Compare the parameters, tags and code version logged for the two runs.',
        command:
          'export MLFLOW_TRACKING_URI={{trackingUrl}}; diff <(mlflow runs describe --run-id "$RUN_A") <(mlflow runs describe --run-id "$RUN_B")',
        shell: 'bash',
      },
      {
        description: 'Check whether the tracked data matches what DVC expects.',
        command: 'dvc status && dvc diff HEAD~1',
        shell: 'bash',
      },
      {
        description:
          'Compare installed library versions between the two environments.',
        command:
          'pip freeze | sort > /tmp/env-now.txt && diff /tmp/env-now.txt /tmp/env-then.txt',
        shell: 'bash',
      },
    ],
    likelyCauses: [
      'Random seeds not set everywhere (Python, NumPy, the framework, data shuffling)',
      'The data changed between runs without a new version',
      'Library versions differ between runs or machines',
    ],
    fix: [
      'Set every random seed and turn on deterministic algorithms where the framework offers them',
      'Version the training data with DVC and log the data version with the run',
      'Pin dependencies in a lock file and rebuild the image from it',
    ],
    verify: [
      'Re-running the same commit and data version gives the same metrics',
    ],
    prevent: [
      'Lock all seeds in a shared training helper',
      'Version code, data and environment together and log all three with every run',
      'Use lock files for Python dependencies',
    ],
    related: [
      'cannot-reproduce-issue',
      'works-on-my-machine',
      'dvc-pipeline-not-rerunning',
    ],
    answersSymptoms: [],
    answersFailureClasses: [],
  },
  {
    id: 'model-validation-gate-failed',
    title: 'Pipeline stopped at the model validation gate',
    category: 'training',
    summary:
      'The training pipeline refused to register or deploy a model because its accuracy fell below the configured minimum.',
    symptoms: [
      'The validation task fails with a "model accuracy too low" style error',
      'No new model version is registered after a scheduled retraining',
      'Metrics of the candidate are well below the current production model',
    ],
    triage: [
      {
        description: 'Find the failed flow runs of the pipeline.',
        command:
          'prefect flow-run ls --flow-name {{pipeline}} --state-type FAILED --limit 5',
        shell: 'bash',
      },
      {
        description:
          'Read the logs of the failed run to get the metric value and the threshold it missed.',
        command: 'prefect flow-run logs "$FLOW_RUN_ID"',
        shell: 'bash',
      },
      {
        description:
          'Look up the current production version of the model to compare against.',
        command:
          'curl -sfG {{trackingUrl}}/api/2.0/mlflow/registered-models/get --data-urlencode name={{model}}',
        shell: 'bash',
      },
    ],
    likelyCauses: [
      'The training data for this run was incomplete, late or of low quality',
      'A feature changed meaning upstream (schema or unit change)',
      'Real drift: the old features no longer predict the target well',
      'A code change in training or feature engineering broke something',
    ],
    fix: [
      'Keep the current production model; the gate did its job',
      'Check data quality and schema for the run and re-run once the data is fixed',
      'If drift is confirmed, retrain with recent data and compare against the baseline before promoting',
    ],
    verify: [
      'A re-run passes the gate and registers a new version',
      'The new version beats or matches the production baseline on the same evaluation data',
    ],
    prevent: [
      'Validate data quality before training so bad data fails early and clearly',
      'Compare against the production baseline, not only a fixed number',
    ],
    related: [
      'data-quality-check-failed',
      'model-overfitting',
      'responding-to-confirmed-drift',
    ],
    answersSymptoms: ['pipeline_failed', 'accuracy_degraded'],
    answersFailureClasses: ['model_quality_gate_failed'],
  },
];
