import type { TriageEntry } from '../types';

/**
 * Kubernetes workload problems: crash loops, image pulls, scheduling,
 * autoscaling and disk.
 *
 * @public
 */
export const KUBERNETES_ENTRIES: readonly TriageEntry[] = [
  {
    id: 'pod-crash-loop-backoff',
    title: 'Pod in CrashLoopBackOff',
    category: 'kubernetes',
    summary:
      'The container starts and exits again and again; Kubernetes waits longer between each restart. The reason is in the logs of the previous container, not the current one.',
    symptoms: [
      'Pod status CrashLoopBackOff with a growing restart count',
      'Events show "Back-off restarting failed container"',
      'The deployment never becomes available',
    ],
    triage: [
      {
        description: 'List the pods with their restart counts.',
        command: 'kubectl get pods -n {{namespace}} -l {{labelSelector}}',
        shell: 'bash',
      },
      {
        description:
          'Read the exit reason and code of the last crash (OOMKilled, Error, exit 1, 127...).',
        command:
          'kubectl describe pods -n {{namespace}} -l {{labelSelector}} | grep -A8 "Last State"',
        shell: 'bash',
      },
      {
        description:
          'Read the logs of the crashed container, not the one that is starting now.',
        command:
          'kubectl logs -n {{namespace}} -l {{labelSelector}} --previous --tail=100',
        shell: 'bash',
      },
      {
        description: 'Check the recent events in the namespace.',
        command:
          'kubectl get events -n {{namespace}} --sort-by=.lastTimestamp | tail -20',
        shell: 'bash',
      },
    ],
    likelyCauses: [
      'The application crashes on start (missing config or secret, model fails to load, bad input)',
      'Wrong command or entrypoint in the image or pod spec (exit 127, "executable file not found")',
      'A dependency missing from the image (ModuleNotFoundError)',
      'The container is OOMKilled during start-up',
      'A liveness probe kills the container before it has finished starting',
    ],
    fix: [
      'Fix the start-up error shown in the previous logs',
      'Correct CMD/ENTRYPOINT or the command/args in the pod spec',
      'Add the missing dependency to the image and rebuild',
      'Raise the memory limit if the last state is OOMKilled',
      'Give slow starters a startup probe or a longer initial delay',
    ],
    verify: [
      'The pod stays Running and Ready and the restart count stops growing',
    ],
    prevent: [
      'Run the image locally (docker run) before deploying it',
      'Add health checks and a smoke test to CI',
    ],
    related: [
      'incident-serving-pods-oom-killed',
      'image-pull-backoff',
      'deployment-rollout-stuck',
      'works-on-my-machine',
    ],
    answersSymptoms: ['deployment_failed', 'error_rate_high'],
    answersFailureClasses: [
      'crash_loop_backoff',
      'dependency_error',
      'oom_killed',
      'probe_failed',
    ],
  },
  {
    id: 'image-pull-backoff',
    title: 'Pod stuck in ImagePullBackOff',
    category: 'kubernetes',
    summary:
      'The node cannot pull the container image: the name or tag is wrong, the image was never pushed, or the registry refuses the credentials.',
    symptoms: [
      'Pod status ErrImagePull or ImagePullBackOff',
      'Events show "Failed to pull image" with "not found", "manifest unknown" or "unauthorized"',
    ],
    triage: [
      {
        description: 'Read the pull error in the pod events.',
        command:
          'kubectl describe pods -n {{namespace}} -l {{labelSelector}} | grep -i -A3 -E "pull|image"',
        shell: 'bash',
      },
      {
        description: 'See exactly which image and tag the deployment asks for.',
        command:
          "kubectl get deploy {{deployment}} -n {{namespace}} -o jsonpath='{.spec.template.spec.containers[*].image}'",
        shell: 'bash',
      },
      {
        description: 'Check the tag exists in the registry.',
        command: 'docker manifest inspect "$IMAGE" > /dev/null && echo exists',
        shell: 'bash',
      },
      {
        description: 'Check pull secrets are attached.',
        command:
          "kubectl get deploy {{deployment}} -n {{namespace}} -o jsonpath='{.spec.template.spec.imagePullSecrets}'",
        shell: 'bash',
      },
    ],
    likelyCauses: [
      'Typo in the image name or tag',
      'The image was never built or pushed (CI failed, wrong tag)',
      'The registry requires authentication and no imagePullSecrets are set, or they expired',
    ],
    fix: [
      'Correct the image reference',
      'Build and push the image, then roll the deployment',
      'Create or refresh the registry secret and reference it in imagePullSecrets',
    ],
    verify: ['The pod pulls the image and starts'],
    prevent: [
      'Have CI build and push the image and deploy by digest or immutable tag',
      'Test a pull with the cluster credentials as part of the release',
    ],
    related: ['deployment-rollout-stuck', 'pod-crash-loop-backoff'],
    answersSymptoms: ['deployment_failed', 'deployment_stuck'],
    answersFailureClasses: ['image_pull_backoff'],
  },
  {
    id: 'pods-pending-unschedulable',
    title: 'Pods stay Pending (not enough cluster resources)',
    category: 'kubernetes',
    summary:
      'The scheduler cannot find a node with enough CPU, memory or GPUs for the pod, or a quota blocks it, so the pod never starts.',
    symptoms: [
      'Pods Pending with FailedScheduling events',
      '"0/N nodes are available: Insufficient cpu / memory"',
      '"exceeded quota" when creating pods',
    ],
    triage: [
      {
        description: 'Read the scheduling events.',
        command:
          'kubectl get events -n {{namespace}} --field-selector reason=FailedScheduling --sort-by=.lastTimestamp | tail',
        shell: 'bash',
      },
      {
        description: 'See how much of each node is already requested.',
        command: 'kubectl describe nodes | grep -A8 "Allocated resources"',
        shell: 'bash',
      },
      {
        description: 'Check namespace quotas.',
        command: 'kubectl describe resourcequota -n {{namespace}}',
        shell: 'bash',
      },
    ],
    likelyCauses: [
      'Requests larger than any node can offer, or the cluster is full',
      'A namespace ResourceQuota is used up',
      'No node has the GPU, node selector or toleration the pod needs',
    ],
    fix: [
      'Right-size the requests, or add nodes / enable the cluster autoscaler',
      'Raise the quota or clean up unused workloads in the namespace',
      'Fix node selectors and tolerations, or add the right node pool',
    ],
    verify: ['Pods are scheduled and start'],
    prevent: [
      'Set realistic requests from measured usage',
      'Watch cluster capacity and quota usage',
    ],
    related: [
      'deployment-rollout-stuck',
      'airflow-task-stuck',
      'cloud-cost-spike',
    ],
    answersSymptoms: ['deployment_stuck', 'pipeline_late'],
    answersFailureClasses: ['insufficient_resources'],
  },
  {
    id: 'hpa-autoscaler-thrash',
    title: 'Autoscaler keeps scaling up and down',
    category: 'kubernetes',
    summary:
      'The Horizontal Pod Autoscaler changes the replica count every few minutes, or does nothing because it cannot read metrics.',
    symptoms: [
      'Replica count oscillates',
      'HPA shows <unknown> for current utilisation',
      'New pods appear but latency does not improve',
    ],
    triage: [
      {
        description: 'See targets, current values and replica counts.',
        command: 'kubectl get hpa -n {{namespace}}',
        shell: 'bash',
      },
      {
        description: 'Read the HPA conditions and scaling events.',
        command: 'kubectl describe hpa -n {{namespace}}',
        shell: 'bash',
      },
      {
        description: 'Check the metrics API answers.',
        command: 'kubectl top pods -n {{namespace}} -l {{labelSelector}}',
        shell: 'bash',
      },
    ],
    likelyCauses: [
      'The metrics server is missing or failing, or pods have no CPU requests, so utilisation cannot be computed',
      'Thresholds too sensitive and no stabilisation window',
      'Short traffic spikes',
      'Scaling on a metric that new replicas cannot improve (for example a slow downstream dependency)',
    ],
    fix: [
      'Fix the metrics server and set CPU requests on the pods',
      'Widen the target and add a scale-down stabilisation window',
      'Pin the replica count by hand while you investigate',
    ],
    verify: ['The replica count stays stable under steady traffic'],
    prevent: [
      'Tune autoscaling with a load test',
      'Monitor replica counts and HPA conditions',
    ],
    related: [
      'serving-high-latency',
      'incident-serving-latency-spike',
      'prometheus-scrape-failures',
    ],
    answersSymptoms: ['latency_high'],
    answersFailureClasses: ['metrics_unavailable'],
  },
  {
    id: 'node-disk-full',
    title: 'Disk or volume full',
    category: 'kubernetes',
    summary:
      'A node, persistent volume or artifact disk has run out of space, so writes fail and pods may be evicted.',
    symptoms: [
      '"No space left on device" in job or server logs',
      'Pods evicted with DiskPressure or ephemeral-storage messages',
      'Database or MinIO refuses writes',
    ],
    triage: [
      {
        description: 'Check node conditions for DiskPressure.',
        command: 'kubectl describe nodes | grep -E "Name:|DiskPressure"',
        shell: 'bash',
      },
      {
        description: 'Check free space inside the workload.',
        command: 'kubectl exec -n {{namespace}} deploy/{{deployment}} -- df -h',
        shell: 'bash',
      },
      {
        description: 'Find evicted pods.',
        command:
          'kubectl get pods -n {{namespace}} --field-selector=status.phase=Failed',
        shell: 'bash',
      },
    ],
    likelyCauses: [
      'Checkpoints, logs or temporary data written to the container filesystem and never cleaned',
      'An artifact or database volume that was sized for the past',
      'Old images and containers filling the node disk',
    ],
    fix: [
      'Delete old checkpoints, temp files and evicted pods',
      'Grow the volume or move large outputs to object storage',
      'Set ephemeral-storage limits so one job cannot fill a node',
    ],
    verify: ['Free space is back above the alert threshold and writes succeed'],
    prevent: [
      'Alert on disk usage of nodes and volumes',
      'Add retention for checkpoints, logs and old model versions',
    ],
    related: [
      'mlflow-artifact-upload-fails',
      'incident-mlflow-down',
      'cloud-cost-spike',
    ],
    answersSymptoms: ['pipeline_failed', 'deployment_failed'],
    answersFailureClasses: ['disk_full'],
  },
];
