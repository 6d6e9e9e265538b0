import type { TriageEntry } from '../types';

/**
 * Model deployment and rollout problems.
 *
 * @public
 */
export const DEPLOYMENT_ENTRIES: readonly TriageEntry[] = [
  {
    id: 'deployment-rollout-stuck',
    title: 'Kubernetes rollout stuck',
    category: 'deployment',
    summary:
      'A new version was applied but the rollout never completes: new pods cannot be scheduled, cannot pull their image, or never become ready.',
    symptoms: [
      'kubectl rollout status waits and finally reports the progress deadline was exceeded',
      'Old and new ReplicaSets both have pods for a long time',
      'New pods are Pending, ImagePullBackOff or Running but not Ready',
    ],
    triage: [
      {
        description: 'Check the rollout progress.',
        command:
          'kubectl rollout status deploy/{{deployment}} -n {{namespace}} --timeout=60s',
        shell: 'bash',
      },
      {
        description: 'Read the deployment conditions and events.',
        command: 'kubectl describe deploy {{deployment}} -n {{namespace}}',
        shell: 'bash',
      },
      {
        description: 'See the state of the new pods.',
        command:
          'kubectl get pods -n {{namespace}} -l {{labelSelector}} -o wide',
        shell: 'bash',
      },
      {
        description:
          'Read recent events for scheduling, pull and probe failures.',
        command:
          'kubectl get events -n {{namespace}} --sort-by=.lastTimestamp | tail -30',
        shell: 'bash',
      },
    ],
    likelyCauses: [
      'Not enough cluster resources for the new pods',
      'Image pull failure',
      'The readiness probe fails (model not loading, wrong path or port, too short a delay)',
    ],
    fix: [
      'Free or add capacity, or lower the surge',
      'Fix the image reference or registry access',
      'Fix the probe or the start-up problem behind it',
      'If production is affected, roll back first and investigate after',
    ],
    verify: [
      'kubectl rollout status reports the deployment successfully rolled out',
    ],
    prevent: [
      'Set resource requests and keep quota headroom for surges',
      'Test deploys in staging with the same probes',
    ],
    related: [
      'image-pull-backoff',
      'pods-pending-unschedulable',
      'pod-crash-loop-backoff',
      'rolling-back-a-model',
    ],
    answersSymptoms: ['deployment_stuck', 'deployment_failed'],
    answersFailureClasses: [
      'probe_failed',
      'insufficient_resources',
      'image_pull_backoff',
      'timeout',
    ],
  },
  {
    id: 'model-deployment-fails',
    title: 'Model deployment fails',
    category: 'deployment',
    summary:
      'The deploy step raises an error or leaves the deployment in a stuck state, because the model or version cannot be found, the environment is wrong, or an older deployment conflicts.',
    symptoms: [
      'DeploymentError (or a failed deploy task) in the pipeline',
      'The model never reaches the target environment',
      'Deployment status stays pending or in progress',
    ],
    triage: [
      {
        description: 'Check the model and its versions exist in the registry.',
        command:
          'curl -sfG {{trackingUrl}}/api/2.0/mlflow/registered-models/get --data-urlencode name={{model}}',
        shell: 'bash',
      },
      {
        description:
          'Check what the target environment alias currently points at.',
        command:
          'curl -sfG {{trackingUrl}}/api/2.0/mlflow/registered-models/alias --data-urlencode name={{model}} --data-urlencode alias={{environment}}',
        shell: 'bash',
      },
      {
        description:
          'Look for existing deployments of the model in the namespace.',
        command: 'kubectl get deploy -n {{namespace}} -l {{labelSelector}}',
        shell: 'bash',
      },
      {
        description: 'Read the deploy task log.',
        command:
          'prefect flow-run ls --flow-name {{pipeline}} --state-type FAILED --limit 5',
        shell: 'bash',
      },
    ],
    likelyCauses: [
      'The model is not registered, the version does not exist, or the model file is missing',
      'The environment name is wrong, or the deployer lacks permission in it',
      'Invalid deployment configuration',
      'An existing deployment with the same id conflicts',
    ],
    fix: [
      'Register the model / pick an existing version and make sure its artifact exists',
      'Use a valid environment name and grant the deployer access there',
      'Validate and correct the deployment configuration',
      'Clean up old deployments or use a distinct deployment id',
    ],
    verify: ['The model is deployed and its health checks pass'],
    prevent: [
      'Check model, version and environment before deploying',
      'Automate deployment clean-up',
    ],
    related: [
      'post-deployment-health-check-fails',
      'mlflow-model-registration-fails',
      'rolling-back-a-model',
    ],
    answersSymptoms: ['deployment_failed', 'deployment_stuck'],
    answersFailureClasses: ['model_load_error', 'permission_denied'],
  },
  {
    id: 'post-deployment-health-check-fails',
    title: 'Health checks fail after deploying a model',
    category: 'deployment',
    summary:
      'The model was deployed but the post-deployment checks fail: it does not load, the prediction service returns nothing, or it misses the performance baseline.',
    symptoms: [
      'The post-deploy health check task fails',
      'The model loads but predictions are empty or errors',
      'Accuracy on the check data falls below the baseline',
    ],
    triage: [
      {
        description: 'Probe the service.',
        command:
          'curl -sS -i {{servingUrl}}/health && curl -sS -i {{servingUrl}}/ready',
        shell: 'bash',
      },
      {
        description: 'Send a sample request.',
        command:
          "curl -sS -X POST {{servingUrl}}/predict -H 'Content-Type: application/json' -d @sample-request.json",
        shell: 'bash',
      },
      {
        description: 'Read the service logs.',
        command:
          'kubectl logs -n {{namespace}} -l {{labelSelector}} --tail=100',
        shell: 'bash',
      },
    ],
    likelyCauses: [
      'Model cannot be loaded in the serving environment (missing library, wrong URI)',
      'Schema differences between the check data and the model signature',
      'The new version is genuinely worse than the baseline',
    ],
    fix: [
      'Fix the loading problem and redeploy',
      'Align the check data with the model signature',
      'Roll back to the previous version if the new one underperforms',
    ],
    verify: ['All post-deployment checks pass'],
    prevent: [
      'Run the same checks in staging before production',
      'Keep the previous version warm for a quick rollback',
    ],
    related: [
      'rolling-back-a-model',
      'serving-500-errors',
      'mlflow-model-load-fails',
    ],
    answersSymptoms: ['deployment_failed', 'error_rate_high'],
    answersFailureClasses: [
      'model_load_error',
      'model_quality_gate_failed',
      'probe_failed',
    ],
  },
  {
    id: 'rolling-back-a-model',
    title: 'Rolling back a model (and when rollback fails)',
    category: 'deployment',
    summary:
      'How to put the previous good version back in production, in the registry and in Kubernetes, and what to check when that rollback itself fails.',
    symptoms: [
      'A new model version degraded accuracy, latency or error rate',
      'A rollback was attempted but the old version does not come back',
    ],
    triage: [
      {
        description: 'List versions to pick the last good one.',
        command:
          'curl -sfG {{trackingUrl}}/api/2.0/mlflow/registered-models/get --data-urlencode name={{model}}',
        shell: 'bash',
      },
      {
        description: 'Look at the rollout history of the serving deployment.',
        command:
          'kubectl rollout history deploy/{{deployment}} -n {{namespace}}',
        shell: 'bash',
      },
      {
        description: 'Roll the deployment back to the previous revision.',
        command: 'kubectl rollout undo deploy/{{deployment}} -n {{namespace}}',
        shell: 'bash',
      },
      {
        description: 'Watch the rollback complete.',
        command:
          'kubectl rollout status deploy/{{deployment}} -n {{namespace}}',
        shell: 'bash',
      },
    ],
    likelyCauses: [
      'The previous version was archived or deleted by a clean-up job',
      'The previous image was removed from the registry',
      'The service loads "latest" / a stage, so the Kubernetes rollback alone does not change the model',
    ],
    fix: [
      'Move the alias or Production stage back to the last good version in the registry',
      'Roll back the deployment too if the image or config changed',
      'Restore the archived version before pointing production at it',
    ],
    verify: [
      'The served version is the old one and the metrics that triggered the rollback recover',
    ],
    prevent: [
      'Keep recent production versions out of clean-up jobs',
      'Serve by explicit version or alias, and rehearse rollbacks',
    ],
    related: [
      'model-deployment-fails',
      'incident-model-accuracy-drop',
      'deployment-rollout-stuck',
    ],
    answersSymptoms: [
      'deployment_failed',
      'accuracy_degraded',
      'error_rate_high',
      'latency_high',
    ],
    answersFailureClasses: [],
  },
];
