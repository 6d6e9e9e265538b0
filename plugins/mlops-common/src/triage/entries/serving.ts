import type { TriageEntry } from '../types';

/**
 * API and model serving problems: errors, unavailability, latency,
 * validation and missing traffic.
 *
 * @public
 */
export const SERVING_ENTRIES: readonly TriageEntry[] = [
  {
    id: 'serving-500-errors',
    title: 'Prediction API returns 500 errors',
    category: 'serving',
    summary:
      'The service is up but predictions fail inside the handler, most often because the model was not loaded, the input broke the code, or a library is missing.',
    symptoms: [
      'POST /predict returns 500 Internal Server Error',
      'Error rate on the serving dashboard climbs while pods stay Running',
      'Stack traces in the service logs on every request',
    ],
    triage: [
      {
        description: 'Call the health endpoint.',
        command: 'curl -sS -i {{servingUrl}}/health',
        shell: 'bash',
      },
      {
        description:
          'Read recent logs of all serving pods and find the traceback.',
        command:
          'kubectl logs -n {{namespace}} -l {{labelSelector}} --tail=200 --prefix | grep -i -B2 -A15 -E "traceback|error"',
        shell: 'bash',
      },
      {
        description: 'Check pods for restarts that hint at start-up failures.',
        command: 'kubectl get pods -n {{namespace}} -l {{labelSelector}}',
        shell: 'bash',
      },
    ],
    likelyCauses: [
      'The model failed to load at start-up and requests hit an empty handler',
      'Input that passes the schema still breaks the prediction code (unexpected values, wrong types)',
      'A dependency the model flavour needs is not installed in the image',
    ],
    fix: [
      'Load the model at start-up and fail readiness until it is loaded',
      'Validate requests with a Pydantic model so bad input gets a 422 instead of a 500',
      'Add the missing package to the image and redeploy',
    ],
    verify: [
      'A known-good request to /predict returns 200 and a sensible prediction',
    ],
    prevent: [
      'Health and readiness checks that exercise the model, not just the web server',
      'Input validation on every endpoint',
      'A CI test that builds the image and sends a sample request',
    ],
    related: [
      'serving-503-unavailable',
      'serving-request-validation-errors',
      'mlflow-model-load-fails',
    ],
    answersSymptoms: ['error_rate_high'],
    answersFailureClasses: [
      'model_load_error',
      'dependency_error',
      'code_error',
    ],
  },
  {
    id: 'serving-503-unavailable',
    title: 'Prediction API returns 503 Service Unavailable',
    category: 'serving',
    summary:
      'No backend is ready to take requests: the model did not load (often because MLflow was unreachable at start-up) or the pods are out of resources.',
    symptoms: [
      'Clients get 503, "no healthy upstream" or "upstream connect error"',
      'The /ready endpoint returns non-200',
      'Pods are Running but not Ready',
    ],
    triage: [
      {
        description: 'Check readiness from the outside.',
        command: 'curl -sS -i {{servingUrl}}/ready',
        shell: 'bash',
      },
      {
        description:
          'See how many pods are ready and whether the Service has endpoints.',
        command:
          'kubectl get pods -n {{namespace}} -l {{labelSelector}} && kubectl get endpoints -n {{namespace}}',
        shell: 'bash',
      },
      {
        description: 'Look at probe failures and resource events.',
        command:
          'kubectl describe pods -n {{namespace}} -l {{labelSelector}} | grep -A10 -E "^Events:"',
        shell: 'bash',
      },
      {
        description:
          'Check the tracking server the service loads the model from.',
        command: 'curl -sf {{trackingUrl}}/health && echo',
        shell: 'bash',
      },
    ],
    likelyCauses: [
      'The model failed to load (bad model URI, or the version no longer exists)',
      'MLflow or the artifact store was unreachable when the pod started',
      'CPU or memory exhaustion makes the pod fail its readiness probe',
    ],
    fix: [
      'Correct the model URI or restore the version it points to',
      'Restore MLflow connectivity, then restart the pods so they load the model again',
      'Raise resources or add replicas so probes pass under load',
    ],
    verify: [
      '/ready returns 200 on every replica and the 503 rate drops to zero',
    ],
    prevent: [
      'Readiness probes that only pass once the model is loaded',
      'Monitor resource use of serving pods and alert before saturation',
      'Consider baking the model into the image so start-up does not depend on MLflow',
    ],
    related: [
      'serving-500-errors',
      'mlflow-model-load-fails',
      'mlflow-server-unreachable',
      'deployment-rollout-stuck',
    ],
    answersSymptoms: ['error_rate_high', 'no_traffic'],
    answersFailureClasses: [
      'model_load_error',
      'mlflow_unreachable',
      'probe_failed',
      'upstream_api_error',
    ],
  },
  {
    id: 'serving-high-latency',
    title: 'Prediction latency is high',
    category: 'serving',
    summary:
      'Requests succeed but p95 latency is far above target; the usual suspects are a heavy model, one-at-a-time inference, and CPU throttling.',
    symptoms: [
      'p95 latency well above the target (e.g. over 500 ms)',
      'Client timeouts or 504 Gateway Timeout',
      'Latency grows with traffic even though error rate is low',
    ],
    triage: [
      {
        description: 'Time a single request end to end.',
        command:
          "curl -s -o /dev/null -w 'connect %{time_connect}s  first byte %{time_starttransfer}s  total %{time_total}s\\n' {{servingUrl}}/health",
        shell: 'bash',
      },
      {
        description: 'Compare pod CPU and memory with their limits.',
        command: 'kubectl top pods -n {{namespace}} -l {{labelSelector}}',
        shell: 'bash',
      },
      {
        description:
          'Check for CPU throttling: a high ratio of throttled periods means the CPU limit is too low.',
        command:
          'sum(rate(container_cpu_cfs_throttled_periods_total{namespace="{{namespace}}"}[5m])) by (pod) / sum(rate(container_cpu_cfs_periods_total{namespace="{{namespace}}"}[5m])) by (pod)',
        shell: 'promql',
      },
      {
        description: 'Profile the running service to see where the time goes.',
        command:
          'kubectl exec -n {{namespace}} deploy/{{deployment}} -- py-spy dump --pid 1',
        shell: 'bash',
      },
    ],
    likelyCauses: [
      'A large model, or slow feature computation inside the request',
      'No batching: every request runs its own forward pass',
      'CPU throttling from a tight CPU limit',
      'Slow calls to an external service or database inside the request path',
    ],
    fix: [
      'Optimise the model (smaller architecture, quantisation, ONNX export) or precompute features',
      'Batch requests on the server side',
      'Raise the CPU limit or add replicas',
      'Cache or move external lookups out of the hot path and bound them with timeouts',
    ],
    verify: [
      'p95 latency back under the target (for example under 500 ms) at normal traffic',
    ],
    prevent: [
      'Load-test new model versions before promotion',
      'Alert on latency percentiles, not only averages',
      'Autoscale on a signal that tracks load (CPU or requests per second)',
    ],
    related: [
      'incident-serving-latency-spike',
      'hpa-autoscaler-thrash',
      'kafka-consumer-lag',
    ],
    answersSymptoms: ['latency_high'],
    answersFailureClasses: ['timeout'],
  },
  {
    id: 'serving-request-validation-errors',
    title: 'Prediction requests rejected with validation errors',
    category: 'serving',
    summary:
      'The API answers 422 because the request body does not match the schema: wrong format, missing fields or wrong types.',
    symptoms: [
      '422 Unprocessable Entity responses',
      'Pydantic "validation error for ..." messages in logs',
      'Error rate rises right after a client release or a model schema change',
    ],
    triage: [
      {
        description: 'Fetch the published request schema.',
        command:
          'curl -sf {{servingUrl}}/openapi.json | jq ".components.schemas"',
        shell: 'bash',
      },
      {
        description:
          'Send a known-good example and read the validation detail of a failing one.',
        command:
          "curl -sS -X POST {{servingUrl}}/predict -H 'Content-Type: application/json' -d @sample-request.json",
        shell: 'bash',
      },
      {
        description: 'Count validation failures in recent logs.',
        command:
          'kubectl logs -n {{namespace}} -l {{labelSelector}} --since=1h | grep -c " 422 "',
        shell: 'bash',
      },
    ],
    likelyCauses: [
      'Clients send the wrong format (for example a list instead of an object)',
      'Required fields are missing after a client or model schema change',
      'Type mismatch: strings where numbers are expected',
    ],
    fix: [
      'Fix the client request format',
      "Update the Pydantic request model if the model's inputs really changed, and version the API",
      'Publish request examples in the API docs',
    ],
    verify: ['Valid requests succeed and the 422 rate returns to its baseline'],
    prevent: [
      'Keep OpenAPI docs and request examples current',
      'Contract tests between clients and the serving API',
    ],
    related: ['serving-500-errors', 'data-schema-mismatch'],
    answersSymptoms: ['error_rate_high'],
    answersFailureClasses: ['validation_error'],
  },
  {
    id: 'serving-no-traffic',
    title: 'Model endpoint receives no traffic',
    category: 'serving',
    summary:
      'The serving service reports no requests (or no tracked predictions), either because nothing reaches it or because predictions are not being recorded.',
    symptoms: [
      'Request rate for the model is zero',
      'Monitoring shows no predictions or metrics for the model in the current window',
      'Load balancer health checks fail, so traffic is routed elsewhere',
    ],
    triage: [
      {
        description: 'Check that the Service has ready endpoints behind it.',
        command:
          'kubectl get endpoints -n {{namespace}} && kubectl get pods -n {{namespace}} -l {{labelSelector}}',
        shell: 'bash',
      },
      {
        description: 'Call the service yourself from outside the cluster.',
        command: 'curl -sS -i {{servingUrl}}/health',
        shell: 'bash',
      },
      {
        description: 'Look at the request rate the service itself reports.',
        command:
          'sum(rate(http_requests_total{namespace="{{namespace}}"}[5m])) by (pod)',
        shell: 'promql',
      },
    ],
    likelyCauses: [
      'Readiness or load balancer health checks fail, so the endpoint is taken out of rotation',
      'Ingress or Service selector does not match the pods (for example after a label change)',
      'Clients were switched to another version or endpoint',
      'Predictions are served but not tracked (tracking call removed, wrong model id, or a window that does not include recent data)',
    ],
    fix: [
      'Fix the failing health check and let the endpoint rejoin the pool',
      'Align the Service/Ingress selector with the pod labels',
      'Confirm with the client team where traffic should go',
      'Restore prediction tracking with the right model id',
    ],
    verify: ['Request and prediction counts are non-zero again'],
    prevent: [
      "Alert when a production model's request rate drops to zero",
      'Test the monitoring path (a synthetic request that must show up in metrics)',
    ],
    related: [
      'monitoring-not-collecting-metrics',
      'serving-503-unavailable',
      'prometheus-scrape-failures',
    ],
    answersSymptoms: ['no_traffic'],
    answersFailureClasses: ['probe_failed'],
  },
];
