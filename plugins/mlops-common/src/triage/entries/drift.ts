import type { TriageEntry } from '../types';

/**
 * Drift detection problems: false alarms, missed drift, failing tests, and
 * what to do when drift is real.
 *
 * @public
 */
export const DRIFT_ENTRIES: readonly TriageEntry[] = [
  {
    id: 'false-drift-alerts',
    title: 'Drift alerts that do not match reality',
    category: 'drift',
    summary:
      'Drift is reported but model performance and the business look fine, usually because the baseline or threshold is wrong or seasonality is not accounted for.',
    symptoms: [
      'Drift alerts fire while accuracy is stable',
      'Alerts recur on the same weekday or season',
      'Many features flagged at once after a harmless change',
    ],
    triage: [
      {
        description:
          'Check how old the reference (baseline) data is and where it comes from.',
        command: 'git log -3 --format="%h %ad %s" -- "$REFERENCE_DATA.dvc"',
        shell: 'bash',
      },
      {
        description:
          'List recent runs of the monitoring pipeline to see how often drift fires.',
        command: 'prefect flow-run ls --flow-name {{pipeline}} --limit 20',
        shell: 'bash',
      },
    ],
    likelyCauses: [
      'The baseline is outdated or not representative',
      'Thresholds too tight (p-value or distance)',
      'Seasonal patterns compared against a baseline from another season',
      'Very large samples make tiny, harmless differences statistically significant',
    ],
    fix: [
      'Update the baseline',
      'Relax thresholds or use an effect-size threshold in addition to the p-value',
      'Compare against the same period in a previous cycle',
    ],
    verify: [
      'Drift alerts match periods where performance or inputs really changed',
    ],
    prevent: [
      'Rolling baselines',
      'Validate thresholds on historical data before enabling alerts',
    ],
    related: [
      'alert-fatigue',
      'drift-not-detected',
      'responding-to-confirmed-drift',
    ],
    answersSymptoms: ['drift_detected'],
    answersFailureClasses: [],
  },
  {
    id: 'drift-not-detected',
    title: 'Drift not detected when expected',
    category: 'drift',
    summary:
      'Performance dropped or inputs clearly changed, but the drift checks stayed quiet.',
    symptoms: [
      'Accuracy degraded with no drift alert beforehand',
      'Drift p-values stay high even though distributions look different',
    ],
    triage: [
      {
        description:
          'Check the monitoring pipeline actually ran on recent data.',
        command: 'prefect flow-run ls --flow-name {{pipeline}} --limit 10',
        shell: 'bash',
      },
    ],
    likelyCauses: [
      'Threshold too loose',
      'Only univariate tests, while the shift is in feature interactions or in the label relationship (concept drift)',
      'Too few samples in the comparison window',
      'Drift checks run on the wrong features or an old window',
    ],
    fix: [
      'Tighten the p-value threshold and use more than one test method',
      'Add prediction-distribution and performance monitoring to catch concept drift',
      'Use a window with enough samples',
    ],
    verify: ['Replaying the known drift period raises an alert'],
    prevent: ['Backtest drift checks on past incidents'],
    related: [
      'false-drift-alerts',
      'model-accuracy-degraded',
      'monitoring-not-collecting-metrics',
    ],
    answersSymptoms: ['accuracy_degraded'],
    answersFailureClasses: [],
  },
  {
    id: 'drift-check-errors',
    title: 'Drift checks fail with statistical test errors',
    category: 'drift',
    summary: 'The drift step itself errors, so no drift result is produced.',
    symptoms: [
      'The drift task fails with shape, type or empty-input errors',
      'NaN p-values',
    ],
    triage: [
      {
        description:
          'Find the failed drift run; read its error with prefect flow-run logs and the run id.',
        command:
          'prefect flow-run ls --flow-name {{pipeline}} --state-type FAILED --limit 5',
        shell: 'bash',
      },
    ],
    likelyCauses: [
      'Reference and current data have different formats or columns',
      'Incompatible shapes or types (categorical vs numeric)',
      'Too few samples',
    ],
    fix: [
      'Align formats, shapes and dtypes between reference and current data',
      'Pick the right test for each feature type',
      'Skip or mark as insufficient when there are too few samples',
    ],
    verify: ['The drift step completes with a result for each feature'],
    prevent: ['Validate both datasets with the same schema before testing'],
    related: ['data-schema-mismatch', 'drift-not-detected'],
    answersSymptoms: ['data_quality_low'],
    answersFailureClasses: ['data_schema_mismatch'],
  },
  {
    id: 'responding-to-confirmed-drift',
    title: 'Responding to confirmed drift',
    category: 'drift',
    summary:
      'The inputs really changed. Decide whether to retrain, roll back, or wait.',
    symptoms: [
      'Drift detected on important features',
      'Accuracy starting to fall',
    ],
    triage: [
      {
        description:
          'Check the latest version and how old its training data is.',
        command:
          'curl -sfG {{trackingUrl}}/api/2.0/mlflow/registered-models/get --data-urlencode name={{model}}',
        shell: 'bash',
      },
      {
        description: 'Trigger the retraining deployment.',
        command: 'prefect deployment run {{pipeline}}/"$DEPLOYMENT_NAME"',
        shell: 'bash',
      },
    ],
    likelyCauses: [
      'New patterns not seen in training',
      'Concept drift',
      'An upstream change that altered a feature',
    ],
    fix: [
      'Retrain on recent data',
      'Validate against the production baseline',
      'Promote only if better; fix the upstream source if that is the cause',
    ],
    verify: ['Drift scores and accuracy recover after the new version is live'],
    prevent: [
      'Automated retraining triggers on drift or performance drop, with a validation gate',
    ],
    related: [
      'model-accuracy-degraded',
      'model-validation-gate-failed',
      'incident-model-accuracy-drop',
    ],
    answersSymptoms: ['drift_detected', 'accuracy_degraded'],
    answersFailureClasses: [],
  },
];
