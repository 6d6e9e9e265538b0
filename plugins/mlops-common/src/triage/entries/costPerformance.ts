import type { TriageEntry } from '../types';

/**
 * Cost and performance problems: spend spikes, batch memory, streaming lag
 * and slow tuning.
 *
 * @public
 */
export const COST_PERFORMANCE_ENTRIES: readonly TriageEntry[] = [
  {
    id: 'cloud-cost-spike',
    title: 'Cloud cost spike',
    category: 'cost-performance',
    summary:
      'Spend jumped well above normal, usually from a runaway training job, something that never scales down, or resources nobody cleaned up.',
    symptoms: [
      'Billing alert or cost dashboard spike',
      'GPU nodes running with nothing useful on them',
    ],
    triage: [
      {
        description: 'See what is consuming the cluster right now.',
        command:
          'kubectl top pods -A --sort-by=cpu | head -20 && kubectl top nodes',
        shell: 'bash',
      },
      {
        description: 'Find long-running jobs.',
        command: 'kubectl get jobs -A --sort-by=.status.startTime',
        shell: 'bash',
      },
      {
        description:
          "Break down the month's cost by service in the billing console or API.",
        command:
          'aws ce get-cost-and-usage --time-period Start="$(date +%Y-%m-01)",End="$(date +%Y-%m-%d)" --granularity DAILY --metrics UnblendedCost --group-by Type=DIMENSION,Key=SERVICE',
        shell: 'bash',
      },
    ],
    likelyCauses: [
      'A training job that never stops (a loop, or retries forever)',
      'Autoscaling that scales up but not down',
      'Leftover resources: volumes, old deployments, idle notebooks',
    ],
    fix: ['Stop runaway jobs', 'Enable scale-down', 'Delete unused resources'],
    verify: ['Daily cost returns to its normal range'],
    prevent: [
      'Budgets and cost alerts',
      'Quotas per namespace',
      'Right-size requests',
      'activeDeadlineSeconds on jobs',
    ],
    related: ['pods-pending-unschedulable', 'hpa-autoscaler-thrash'],
    answersSymptoms: [],
    answersFailureClasses: [],
  },
  {
    id: 'batch-job-out-of-memory',
    title: 'Batch inference or data job runs out of memory (OOM)',
    category: 'cost-performance',
    summary:
      'A batch job dies with OOMKilled or a Python MemoryError when it reads the whole dataset at once or leaks memory.',
    symptoms: [
      'Job fails with OOMKilled / exit 137 or MemoryError',
      'Works on sample data but fails on the full production volume',
    ],
    triage: [
      {
        description: 'Check how the last job pod ended.',
        command:
          'kubectl describe pods -n {{namespace}} -l {{labelSelector}} | grep -A5 -E "Last State|State:"',
        shell: 'bash',
      },
      {
        description: 'Watch memory while the job runs.',
        command: 'kubectl top pods -n {{namespace}} -l {{labelSelector}}',
        shell: 'bash',
      },
      {
        description:
          'Profile memory of the job locally on a production-sized sample.',
        command: 'python -m memory_profiler "$JOB_SCRIPT"',
        shell: 'bash',
      },
    ],
    likelyCauses: [
      'The batch or file is too large to hold in memory',
      'A memory leak across batches',
      'A large model loaded per worker',
    ],
    fix: [
      'Read in chunks (e.g. pandas chunksize, or a streaming reader)',
      'Fix the leak',
      'Raise the memory limit',
    ],
    verify: ['The job completes on the full data'],
    prevent: ['Test with production-sized data', 'Monitor job memory'],
    related: ['training-out-of-memory', 'incident-serving-pods-oom-killed'],
    answersSymptoms: ['pipeline_failed'],
    answersFailureClasses: ['oom_killed'],
  },
  {
    id: 'kafka-consumer-lag',
    title: 'Streaming inference falls behind (Kafka consumer lag)',
    category: 'cost-performance',
    summary:
      'The consumer group that scores events cannot keep up, so lag grows and predictions arrive late.',
    symptoms: [
      'Consumer lag grows steadily',
      'Predictions arrive minutes or hours late',
    ],
    triage: [
      {
        description: 'Show lag per partition for the consumer group.',
        command:
          'kafka-consumer-groups --bootstrap-server "$KAFKA_BOOTSTRAP" --describe --group "$CONSUMER_GROUP"',
        shell: 'bash',
      },
      {
        description: 'Check throughput and CPU of the consumers.',
        command: 'kubectl top pods -n {{namespace}} -l {{labelSelector}}',
        shell: 'bash',
      },
    ],
    likelyCauses: [
      'Inference too slow',
      'A single consumer for many partitions',
      'Network issues',
    ],
    fix: [
      'Optimise inference and batch predictions',
      'Add consumers (up to the number of partitions)',
      'Check the network path to the brokers',
    ],
    verify: ['Lag decreases and stays low'],
    prevent: ['Batch predictions', 'Scale consumers with lag', 'Alert on lag'],
    related: ['serving-high-latency', 'intermittent-failures'],
    answersSymptoms: ['latency_high', 'pipeline_late'],
    answersFailureClasses: [],
  },
  {
    id: 'slow-hyperparameter-tuning',
    title: 'Hyperparameter tuning is slow',
    category: 'cost-performance',
    summary:
      'A tuning job takes far too long because it tries every combination one after another.',
    symptoms: [
      'Tuning runs for hours or days',
      'Only one CPU core busy during tuning',
    ],
    triage: [
      {
        description: 'Check how many cores the tuning job actually uses.',
        command: 'kubectl top pods -n {{namespace}} -l {{labelSelector}}',
        shell: 'bash',
      },
      {
        description:
          'Count how many runs the tuning experiment has produced so far.',
        command:
          'curl -sfG {{trackingUrl}}/api/2.0/mlflow/experiments/get-by-name --data-urlencode experiment_name={{experiment}}',
        shell: 'bash',
      },
    ],
    likelyCauses: [
      'Serial execution',
      'Too many configurations (a full grid)',
      'Slow evaluation per trial',
    ],
    fix: [
      'Parallelise trials (n_jobs=-1 or a distributed tuner)',
      'Use random search instead of a full grid',
      'Add early stopping for poor trials',
    ],
    verify: [
      'Tuning finishes in a fraction of the time with a comparable best score',
    ],
    prevent: [
      'Default to random or Bayesian search',
      'Parallelise',
      'Sample the search space sensibly',
    ],
    related: ['training-slow', 'cloud-cost-spike'],
    answersSymptoms: ['pipeline_late'],
    answersFailureClasses: [],
  },
];
