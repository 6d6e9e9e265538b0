import type { TriageEntry } from '../types';

/**
 * General debugging: environment differences, flaky failures, problems that
 * will not reproduce, outside dependencies, and how to run an incident.
 *
 * @public
 */
export const GENERAL_ENTRIES: readonly TriageEntry[] = [
  {
    id: 'works-on-my-machine',
    title: '"It works on my machine"',
    category: 'general',
    summary:
      'Code that works locally fails in CI, on the cluster or for a colleague because dependencies, environment variables or data differ.',
    symptoms: [
      'ModuleNotFoundError, ImportError or version conflicts only in CI or the cluster',
      'Different results on different machines',
    ],
    triage: [
      {
        description: 'Compare installed packages between the two environments.',
        command:
          'pip freeze | sort > /tmp/local.txt && kubectl exec -n {{namespace}} deploy/{{deployment}} -- pip freeze | sort | diff /tmp/local.txt -',
        shell: 'bash',
      },
      {
        description:
          'Compare environment variables (hide values you should not print).',
        command:
          'kubectl exec -n {{namespace}} deploy/{{deployment}} -- env | cut -d= -f1 | sort',
        shell: 'bash',
      },
      {
        description: 'Check the pip resolver reports no conflicts.',
        command: 'pip check',
        shell: 'bash',
      },
    ],
    likelyCauses: [
      'Different dependencies',
      'Different environment variables or config',
      'Different data',
    ],
    fix: [
      'Pin dependencies',
      'Use .env files or config maps with documented variables',
      'Version data',
    ],
    verify: ['The same command works everywhere'],
    prevent: ['Docker images built from lock files', 'Documented setup'],
    related: [
      'non-reproducible-results',
      'cannot-reproduce-issue',
      'pipeline-task-failing',
    ],
    answersSymptoms: ['pipeline_failed', 'deployment_failed'],
    answersFailureClasses: ['dependency_error'],
  },
  {
    id: 'intermittent-failures',
    title: 'Intermittent failures',
    category: 'general',
    summary:
      'Something fails some of the time with no code change: often a race, a flaky network path, or resource contention.',
    symptoms: [
      'Failures at irregular times',
      'Retries usually succeed',
      'Errors such as connection reset, timed out, or DNS failures',
    ],
    triage: [
      {
        description: 'Look at failures over time and see whether they cluster.',
        command:
          'kubectl logs -n {{namespace}} -l {{labelSelector}} --since=24h --timestamps | grep -i -E "error|timed out|reset"',
        shell: 'bash',
      },
      {
        description: 'Check resource pressure in the same period.',
        command:
          'kubectl top pods -n {{namespace}} && kubectl get events -n {{namespace}} --sort-by=.lastTimestamp | tail -20',
        shell: 'bash',
      },
    ],
    likelyCauses: [
      'A race condition',
      'Network flakiness',
      'Resource contention',
    ],
    fix: ['Add retries with backoff', 'Fix the race', 'Increase resources'],
    verify: ['The job or service runs reliably over several days'],
    prevent: ['Idempotent steps', 'Retries', 'Monitoring on error rates'],
    related: ['external-dependency-unreachable', 'kafka-consumer-lag'],
    answersSymptoms: ['error_rate_high', 'pipeline_failed'],
    answersFailureClasses: ['network_error', 'timeout'],
  },
  {
    id: 'cannot-reproduce-issue',
    title: 'Cannot reproduce a reported issue',
    category: 'general',
    summary:
      "A reported problem does not happen when you try, because the data, config or versions differ from the reporter's.",
    symptoms: [
      'The bug does not appear locally',
      'Behaviour differs between runs',
    ],
    triage: [
      {
        description: 'Compare the exact code and data versions in use.',
        command: 'git rev-parse HEAD && dvc status',
        shell: 'bash',
      },
      {
        description: 'Compare the run parameters.',
        command:
          'MLFLOW_TRACKING_URI={{trackingUrl}} mlflow runs describe --run-id "$RUN_ID"',
        shell: 'bash',
      },
    ],
    likelyCauses: [
      'Different data version',
      'Non-determinism',
      'Different config',
    ],
    fix: ['Version data', 'Set random seeds', 'Document config'],
    verify: ['The issue reproduces'],
    prevent: ['Version everything', 'Document thoroughly'],
    related: ['non-reproducible-results', 'works-on-my-machine'],
    answersSymptoms: [],
    answersFailureClasses: [],
  },
  {
    id: 'external-dependency-unreachable',
    title: 'An external API or database is unreachable',
    category: 'general',
    summary:
      'A source system, external API or internal database that a pipeline or service depends on is down, slow, refusing connections, or rejecting credentials.',
    symptoms: [
      'Connection refused, DNS errors or TLS failures',
      'HTTP 5xx or 429 from the external API',
      'Authentication failures against the source',
    ],
    triage: [
      {
        description: 'Check DNS resolution of the dependency.',
        command: 'nslookup "$DEPENDENCY_HOST"',
        shell: 'bash',
      },
      {
        description: 'Check the port is reachable.',
        command: 'nc -vz -w 5 "$DEPENDENCY_HOST" 443',
        shell: 'bash',
      },
      {
        description:
          'Check reachability from inside the cluster, where the workload runs.',
        command:
          'kubectl run -n {{namespace}} netcheck --rm -it --restart=Never --image=busybox -- nc -vz -w 5 "$DEPENDENCY_HOST" 443',
        shell: 'bash',
      },
    ],
    likelyCauses: [
      'External API downtime or rate limiting',
      'Database connectivity problems',
      'Expired or wrong credentials',
      'DNS or network policy changes',
    ],
    fix: [
      'Wait and retry with backoff, or contact the provider',
      'Restore connectivity',
      'Rotate credentials',
      'Fix DNS or network policy',
    ],
    verify: [
      'The dependency answers from inside the cluster and the pipeline runs',
    ],
    prevent: [
      'Retries with backoff',
      'Circuit breakers',
      'Alerts on dependency health',
    ],
    related: [
      'input-data-missing-or-late',
      'intermittent-failures',
      'incident-etl-pipeline-failed-overnight',
    ],
    answersSymptoms: ['pipeline_failed', 'error_rate_high'],
    answersFailureClasses: [
      'upstream_api_error',
      'network_error',
      'database_connection',
      'timeout',
    ],
  },
  {
    id: 'incident-response-and-escalation',
    title: 'Running an incident and escalating',
    category: 'general',
    summary:
      'A framework for production incidents: acknowledge, assess, investigate, mitigate, resolve and review, and how to escalate when stuck.',
    symptoms: [
      'A production problem with user impact',
      'The cause is not obvious after first checks',
    ],
    triage: [
      {
        description: 'Record what changed recently: commits.',
        command: 'git log --since="2 days ago" --oneline',
        shell: 'bash',
      },
      {
        description: 'Record what changed recently: deployments.',
        command:
          'kubectl rollout history deploy/{{deployment}} -n {{namespace}}',
        shell: 'bash',
      },
      {
        description: 'Collect recent events for the incident notes.',
        command:
          'kubectl get events -n {{namespace}} --sort-by=.lastTimestamp | tail -50',
        shell: 'bash',
      },
    ],
    likelyCauses: [
      'A recent change (code, config, data, infrastructure) in most cases',
    ],
    fix: [
      'Acknowledge within minutes and say who is looking',
      'Assess severity and which systems are affected',
      'Investigate for a bounded time',
      'Mitigate first (rollback, disable, fall back)',
      'Resolve the root cause',
      'Escalate with full context if stuck: errors, logs, steps to reproduce, recent changes',
    ],
    verify: ['Impact has stopped and stakeholders have a resolution update'],
    prevent: [
      'Blameless post-incident review',
      'Update the runbook and this knowledge base with what was learned',
    ],
    related: [
      'incident-model-accuracy-drop',
      'incident-etl-pipeline-failed-overnight',
    ],
    answersSymptoms: [],
    answersFailureClasses: [],
  },
];
