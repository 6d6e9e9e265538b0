import type { TriageEntry } from '../types';

/**
 * Monitoring and alerting problems: metrics that are missing, dashboards
 * without data, noisy or silent alerts, and degraded model accuracy.
 *
 * @public
 */
export const MONITORING_ENTRIES: readonly TriageEntry[] = [
  {
    id: 'prometheus-scrape-failures',
    title: 'Prometheus cannot scrape the service',
    category: 'monitoring',
    summary:
      "The scrape target is down in Prometheus, so the service's metrics (requests, latency, predictions) are missing and dependent alerts and dashboards go blind.",
    symptoms: [
      'Target shows DOWN on the Prometheus targets page',
      'up == 0 for the job',
      'Errors such as "server returned HTTP status 404" or "connection refused" on the target',
    ],
    triage: [
      {
        description: 'List unhealthy targets and their last error.',
        command:
          'curl -s "$PROMETHEUS_URL/api/v1/targets?state=active" | jq \'.data.activeTargets[] | select(.health != "up") | {job: .labels.job, url: .scrapeUrl, err: .lastError}\'',
        shell: 'bash',
      },
      {
        description: 'Fetch the metrics endpoint yourself.',
        command: 'curl -sf {{servingUrl}}/metrics | head -20',
        shell: 'bash',
      },
      {
        description: 'Check the scrape is healthy in PromQL.',
        command: 'up{namespace="{{namespace}}"}',
        shell: 'promql',
      },
    ],
    likelyCauses: [
      'Wrong metrics path or port in the scrape config or ServiceMonitor',
      'A firewall or NetworkPolicy blocks Prometheus',
      'The service is down',
    ],
    fix: [
      'Correct the metrics path and port',
      'Allow Prometheus through the firewall or NetworkPolicy',
      'Bring the service back',
    ],
    verify: ['The target shows UP and up == 1'],
    prevent: [
      'Test the metrics endpoint in CI',
      'Document the metrics port and path for each service',
      'Alert on up == 0',
    ],
    related: [
      'grafana-no-data',
      'serving-no-traffic',
      'monitoring-not-collecting-metrics',
    ],
    answersSymptoms: ['no_traffic'],
    answersFailureClasses: ['metrics_unavailable', 'network_error'],
  },
  {
    id: 'grafana-no-data',
    title: 'Grafana panel shows "No data"',
    category: 'monitoring',
    summary:
      'A dashboard panel is empty because the datasource is wrong, the query is wrong, or there is no data in the selected range.',
    symptoms: [
      'Panels show "No data"',
      'The same panel worked before a dashboard or datasource change',
    ],
    triage: [
      {
        description: "Run the panel's query directly against Prometheus.",
        command:
          'curl -sG "$PROMETHEUS_URL/api/v1/query" --data-urlencode "query=$PANEL_QUERY" | jq .data.result',
        shell: 'bash',
      },
      {
        description: 'Check any series exist for the workload at all.',
        command: 'count by (__name__) ({namespace="{{namespace}}"})',
        shell: 'promql',
      },
    ],
    likelyCauses: [
      'The panel uses the wrong datasource or the datasource URL is wrong',
      'PromQL error, or labels that no longer exist after a rename',
      'No data in the selected time range',
    ],
    fix: [
      'Point the panel at the right datasource and fix its URL',
      'Fix the query and its label matchers',
      'Widen or move the time range',
    ],
    verify: ['Data appears in the panel'],
    prevent: [
      'Keep dashboards in code and test their queries',
      'Document what each dashboard expects',
    ],
    related: [
      'prometheus-scrape-failures',
      'monitoring-not-collecting-metrics',
    ],
    answersSymptoms: ['no_traffic'],
    answersFailureClasses: ['metrics_unavailable'],
  },
  {
    id: 'alert-fatigue',
    title: 'Too many alerts (alert fatigue)',
    category: 'monitoring',
    summary:
      'Alerts fire so often, or flap so much, that people stop reading them, and real problems get missed.',
    symptoms: [
      'The same alert fires and resolves many times a day',
      'Many alerts for one underlying problem',
      'On-call ignores or mutes a channel',
    ],
    triage: [
      {
        description: 'Find the noisiest alerts over the last day.',
        command:
          'topk(10, sum by (alertname) (changes(ALERTS{alertstate="firing"}[1d])))',
        shell: 'promql',
      },
      {
        description: 'Review the thresholds and for-durations of those rules.',
        command:
          'curl -s "$PROMETHEUS_URL/api/v1/rules" | jq \'.data.groups[].rules[] | {name, query, duration}\'',
        shell: 'bash',
      },
    ],
    likelyCauses: [
      'Thresholds too sensitive for normal variation',
      'No for-duration, so short blips flap the alert',
      'Too many overlapping alerts on symptoms of the same cause',
    ],
    fix: [
      'Set thresholds from historical data',
      'Add a for-duration (e.g. for: 5m) and a cooldown',
      'Consolidate alerts, use severities, and route only actionable ones to pagers',
    ],
    verify: ['Each alert that fires needs a human action'],
    prevent: ['Review alerts regularly and tune each new one before it pages'],
    related: ['false-drift-alerts', 'monitoring-not-collecting-metrics'],
    answersSymptoms: [],
    answersFailureClasses: [],
  },
  {
    id: 'monitoring-not-collecting-metrics',
    title: 'Model monitoring collects no metrics or alerts never fire',
    category: 'monitoring',
    summary:
      'The monitoring layer shows no predictions or performance metrics for a model, health checks fail, or alerts that should fire stay quiet.',
    symptoms: [
      'No metrics collected for the model',
      'Health checks report failure or unknown',
      'Performance metrics missing',
      'Alerts not triggering even during a known problem',
      'The monitoring run logs "insufficient data"',
    ],
    triage: [
      {
        description: 'Check prediction counts over the monitoring window.',
        command:
          'sum(increase(predictions_total{namespace="{{namespace}}"}[1h]))',
        shell: 'promql',
      },
      {
        description: 'Check the latest monitoring pipeline runs.',
        command: 'prefect flow-run ls --flow-name {{pipeline}} --limit 5',
        shell: 'bash',
      },
      {
        description: 'Check the service health.',
        command: 'curl -sS -i {{servingUrl}}/health',
        shell: 'bash',
      },
    ],
    likelyCauses: [
      'The code does not call the prediction tracking hook',
      'The metrics window does not include recent data, or the window has fewer samples than required',
      'Wrong model id in the monitoring configuration',
      'Error rate or latency thresholds in the health check are set wrongly',
    ],
    fix: [
      'Call the tracking hook on every prediction and check tracking is enabled',
      'Adjust the window or the minimum sample size',
      'Correct the model id',
      'Review the health check thresholds',
    ],
    verify: ['Metrics appear for the model and a test alert fires'],
    prevent: [
      'Alert on absence of metrics, not only on bad values',
      'Test alert rules with synthetic data',
    ],
    related: [
      'serving-no-traffic',
      'prometheus-scrape-failures',
      'drift-not-detected',
    ],
    answersSymptoms: ['no_traffic'],
    answersFailureClasses: ['metrics_unavailable'],
  },
  {
    id: 'model-accuracy-degraded',
    title: 'Model accuracy dropped below its baseline',
    category: 'monitoring',
    summary:
      'Performance monitoring reports the model is doing noticeably worse than its baseline. Decide quickly whether it is the data, the model or the infrastructure.',
    symptoms: [
      'Accuracy (or precision/recall/F1) more than about 10% below the baseline',
      'A performance degradation alert from the monitoring pipeline',
      'Complaints about wrong predictions',
    ],
    triage: [
      {
        description:
          'Check whether a deployment changed the served version recently.',
        command:
          'kubectl rollout history deploy/{{deployment}} -n {{namespace}}',
        shell: 'bash',
      },
      {
        description:
          'Compare the current production version with previous ones.',
        command:
          'curl -sfG {{trackingUrl}}/api/2.0/mlflow/registered-models/get --data-urlencode name={{model}}',
        shell: 'bash',
      },
      {
        description: 'Check the feature and data pipeline runs are healthy.',
        command: 'prefect flow-run ls --flow-name {{pipeline}} --limit 10',
        shell: 'bash',
      },
      {
        description: 'Look for serving errors that could corrupt predictions.',
        command:
          'kubectl logs -n {{namespace}} -l {{labelSelector}} --since=24h | grep -i -c error',
        shell: 'bash',
      },
    ],
    likelyCauses: [
      'Data drift or concept drift',
      'An upstream feature pipeline or schema change',
      'A recent deployment of a worse version',
      'Delayed or wrong labels making the measured accuracy misleading',
    ],
    fix: [
      'Roll back if a recent deployment caused it',
      'Fix the feature pipeline if inputs are broken',
      'Retrain on recent data if drift is confirmed, and validate before promoting',
    ],
    verify: ['Accuracy returns to within the tolerance of the baseline'],
    prevent: [
      'Drift detection on inputs and predictions',
      'Automated validation before promotion',
      'Performance dashboards per segment',
    ],
    related: [
      'incident-model-accuracy-drop',
      'responding-to-confirmed-drift',
      'rolling-back-a-model',
    ],
    answersSymptoms: ['accuracy_degraded'],
    answersFailureClasses: ['model_quality_gate_failed'],
  },
];
