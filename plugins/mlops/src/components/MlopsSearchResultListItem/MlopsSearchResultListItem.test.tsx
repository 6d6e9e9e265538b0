import { renderInTestApp } from '@backstage/test-utils';
import { MlopsSearchDocument } from '@backstage-mlops/plugin-mlops-common';
import { screen } from '@testing-library/react';
import { MlopsSearchResultListItem } from './MlopsSearchResultListItem';

const model: MlopsSearchDocument = {
  title: 'Fraud detection',
  text: 'Scores card payments for fraud\nML model fraud-detection',
  location: '/catalog/default/component/fraud-detection/mlops',
  mlopsKind: 'model',
  entityRef: 'component:default/fraud-detection',
  health: 'unhealthy',
  problems: ['p95 latency 812 ms is above 500 ms'],
  productionVersion: 7,
};

const entry: MlopsSearchDocument = {
  title: 'Pod in CrashLoopBackOff',
  text: 'The container starts and exits again and again.\nPod status CrashLoopBackOff',
  location: '/mlops?tab=guide&entry=pod-crash-loop-backoff',
  mlopsKind: 'triage-entry',
  triageEntryId: 'pod-crash-loop-backoff',
  category: 'kubernetes',
};

describe('MlopsSearchResultListItem', () => {
  it('shows a model with its health, top reason and Production version, linking to its MLOps tab', async () => {
    await renderInTestApp(<MlopsSearchResultListItem result={model as any} />);
    expect(
      screen.getByRole('link', { name: 'Fraud detection' }),
    ).toHaveAttribute(
      'href',
      '/catalog/default/component/fraud-detection/mlops',
    );
    expect(screen.getByText('Unhealthy')).toBeInTheDocument();
    expect(
      screen.getByText('p95 latency 812 ms is above 500 ms'),
    ).toBeInTheDocument();
    expect(screen.getByText('Production v7')).toBeInTheDocument();
    expect(screen.getByText('ML model')).toBeInTheDocument();
  });

  it('shows a triage guide entry with its category, linking to the entry', async () => {
    await renderInTestApp(<MlopsSearchResultListItem result={entry as any} />);
    expect(
      screen.getByRole('link', { name: 'Pod in CrashLoopBackOff' }),
    ).toHaveAttribute('href', '/mlops?tab=guide&entry=pod-crash-loop-backoff');
    expect(screen.getByText('Triage guide')).toBeInTheDocument();
    expect(screen.getByText('Kubernetes')).toBeInTheDocument();
    expect(
      screen.getByText('The container starts and exits again and again.'),
    ).toBeInTheDocument();
    expect(screen.queryByText(/Production v/)).not.toBeInTheDocument();
  });

  it('renders nothing without a result', async () => {
    const { container } = await renderInTestApp(<MlopsSearchResultListItem />);
    expect(container.querySelector('li')).toBeNull();
  });
});
