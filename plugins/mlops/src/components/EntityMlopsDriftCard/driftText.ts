import {
  DriftTestName,
  FeatureDriftResult,
  StoredDriftReport,
} from '@backstage-mlops/plugin-mlops-common';

/** Readable names of the statistical tests. */
export const TEST_LABELS: Record<DriftTestName, string> = {
  ks: 'Kolmogorov-Smirnov',
  chisquare: 'Chi-square',
  ztest: 'Z-test (proportions)',
  psi: 'PSI',
  wasserstein: 'Wasserstein (normed)',
  jensenshannon: 'Jensen-Shannon',
};

/** Formats a number compactly: tiny p-values in exponent form. */
export function formatNumber(value: number): string {
  if (value === 0) {
    return '0';
  }
  if (!Number.isFinite(value)) {
    return String(value);
  }
  const abs = Math.abs(value);
  if (abs < 0.001 || abs >= 1e6) {
    return value.toExponential(2);
  }
  return value.toPrecision(3).replace(/\.?0+$/, '');
}

/** "p = 0.012" for p-value tests, "d = 0.23" for distances. */
export function formatScore(feature: FeatureDriftResult): string {
  return feature.pValue !== null
    ? `p = ${formatNumber(feature.pValue)}`
    : `d = ${formatNumber(feature.distance ?? feature.statistic)}`;
}

/** The rule a feature was judged by: "p < 0.05" or "d ≥ 0.1". */
export function formatThreshold(feature: FeatureDriftResult): string {
  return feature.pValue !== null
    ? `p < ${formatNumber(feature.threshold)}`
    : `d ≥ ${formatNumber(feature.threshold)}`;
}

function percent(share: number): string {
  return `${Math.round(share * 100)}%`;
}

function listFeatures(names: string[]): string {
  if (names.length <= 3) {
    return names.join(', ');
  }
  return `${names.slice(0, 3).join(', ')} and ${names.length - 3} more`;
}

/**
 * One plain sentence of what a report means, for readers who do not know
 * what a p-value is.
 */
export function explainReport(report: StoredDriftReport): string {
  const { driftedCount, featureCount, driftedFeatures } = report;
  let sentence: string;
  if (report.datasetDrift) {
    sentence = `${driftedCount} of ${featureCount} input features (${listFeatures(
      driftedFeatures,
    )}) no longer look like the data version ${report.version} of ${
      report.model
    } was checked against, which is at or above the ${percent(
      report.driftShareThreshold,
    )} alarm level, so its predictions may be less reliable than when it was validated.`;
  } else if (driftedCount > 0) {
    sentence = `${driftedCount} of ${featureCount} input features (${listFeatures(
      driftedFeatures,
    )}) changed, but most of the data still looks like the reference data of version ${
      report.version
    }, so the model's inputs as a whole are not considered drifted.`;
  } else {
    sentence = `The recent data looks like the reference data of version ${report.version}: none of the ${featureCount} input features changed noticeably.`;
  }
  return sentence;
}

/** A line about the current data's quality, score and what lowered it. */
export function describeQuality(report: StoredDriftReport): string {
  const q = report.quality;
  const parts = [
    `${percent(q.missingRatio)} missing values`,
    `${percent(q.duplicateRatio)} duplicate rows`,
  ];
  if (q.missingRequiredColumns.length > 0) {
    parts.push(`missing columns: ${q.missingRequiredColumns.join(', ')}`);
  }
  const verdict = q.passed
    ? 'passes'
    : 'fails, so missing or repeated data may distort the drift results';
  return `Data quality ${formatNumber(q.score)} (threshold ${formatNumber(
    q.threshold,
  )}) ${verdict}: ${parts.join(', ')}.`;
}
