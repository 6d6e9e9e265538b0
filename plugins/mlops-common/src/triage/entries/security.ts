import type { TriageEntry } from '../types';

/**
 * Security and compliance problems: vulnerability scans, leaked secrets and
 * RBAC.
 *
 * @public
 */
export const SECURITY_ENTRIES: readonly TriageEntry[] = [
  {
    id: 'ci-security-scan-fails',
    title: 'CI security scan fails',
    category: 'security',
    summary:
      'The image or dependency scan (for example Trivy) blocks the build because of HIGH or CRITICAL vulnerabilities.',
    symptoms: [
      'The scan step fails the pipeline with HIGH/CRITICAL CVEs',
      'A release is blocked by a vulnerable base image or package',
    ],
    triage: [
      {
        description:
          'Scan the image locally and list only the blocking findings.',
        command:
          'trivy image --severity HIGH,CRITICAL --ignore-unfixed "$IMAGE"',
        shell: 'bash',
      },
      {
        description: 'See which package brings the vulnerable dependency in.',
        command: 'pip show "$PACKAGE" && pipdeptree -r -p "$PACKAGE"',
        shell: 'bash',
      },
    ],
    likelyCauses: [
      'A HIGH or CRITICAL CVE in a dependency',
      'An outdated dependency pinned long ago',
      'A vulnerable base image',
    ],
    fix: [
      'Upgrade the affected package',
      'Move to a newer or slimmer base image',
      'Suppress only confirmed false positives, with a reason and an expiry',
    ],
    verify: ['The scan passes'],
    prevent: [
      'Regular dependency updates (automated PRs)',
      'Minimal base images',
      'Track an SBOM for each image',
    ],
    related: ['secrets-committed-to-git', 'works-on-my-machine'],
    answersSymptoms: [],
    answersFailureClasses: [],
  },
  {
    id: 'secrets-committed-to-git',
    title: 'Secret committed to git',
    category: 'security',
    summary:
      'A key, token or password reached the repository. Treat it as leaked: rotate first, then clean history.',
    symptoms: [
      'The secret scanner reports a finding',
      'A credential is visible in the repository or its history',
    ],
    triage: [
      {
        description: 'Scan the repository and its history.',
        command: 'gitleaks detect --source . --verbose',
        shell: 'bash',
      },
      {
        description: 'Find the commits that touched the file.',
        command: 'git log --all --oneline -- "$LEAKED_FILE"',
        shell: 'bash',
      },
    ],
    likelyCauses: [
      'An accidental commit',
      'No pre-commit secret scanning hook',
    ],
    fix: [
      'Rotate (revoke and reissue) the secret immediately',
      'Remove it from history (git filter-repo or BFG) and force-push in coordination with the team',
      'Install the gitleaks pre-commit hook',
    ],
    verify: ['gitleaks reports nothing and the old secret no longer works'],
    prevent: [
      'Pre-commit hooks',
      'A secrets manager or orchestrator secret blocks for credentials',
      'A .gitignore for env and credential files',
    ],
    related: ['ci-security-scan-fails', 'rbac-permission-denied'],
    answersSymptoms: [],
    answersFailureClasses: [],
  },
  {
    id: 'rbac-permission-denied',
    title: 'Permission denied (Kubernetes RBAC and service accounts)',
    category: 'security',
    summary:
      'A workload or pipeline is forbidden from doing something in the cluster or in the cloud because of its identity, missing permissions, or the wrong namespace.',
    symptoms: [
      '"is forbidden: User system:serviceaccount:... cannot ..." errors',
      'Permission denied or 403 when a pipeline step talks to the API server or a bucket',
    ],
    triage: [
      {
        description:
          'Ask the API server whether the service account may do the action (adjust verb and resource).',
        command:
          'kubectl auth can-i create deployments -n {{namespace}} --as=system:serviceaccount:{{namespace}}:"$SERVICE_ACCOUNT"',
        shell: 'bash',
      },
      {
        description: 'Check which service account the pods run as.',
        command:
          "kubectl get pods -n {{namespace}} -l {{labelSelector}} -o jsonpath='{.items[*].spec.serviceAccountName}'",
        shell: 'bash',
      },
      {
        description: 'List the roles and bindings in the namespace.',
        command: 'kubectl get roles,rolebindings -n {{namespace}} -o wide',
        shell: 'bash',
      },
    ],
    likelyCauses: [
      'The pod runs with the wrong service account (often default)',
      'The role lacks the verb or resource needed',
      'The binding is in a different namespace from the workload',
    ],
    fix: [
      'Set the right serviceAccountName',
      'Add the missing rule to the Role or ClusterRole',
      "Create the binding in the workload's namespace",
    ],
    verify: ['kubectl auth can-i answers yes and the action succeeds'],
    prevent: [
      'Test RBAC in staging',
      'Document the permissions each workload needs',
      'Grant least privilege',
    ],
    related: ['dvc-remote-access-denied', 'mlflow-artifact-upload-fails'],
    answersSymptoms: ['deployment_failed', 'pipeline_failed'],
    answersFailureClasses: ['permission_denied'],
  },
];
