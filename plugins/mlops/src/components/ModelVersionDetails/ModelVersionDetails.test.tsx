import { discoveryApiRef, fetchApiRef } from '@backstage/core-plugin-api';
import { TestApiProvider, renderInTestApp } from '@backstage/test-utils';
import { screen } from '@testing-library/react';
import { ModelVersionDetails, formatInputExample } from './ModelVersionDetails';

function render(answer: { status: number; body: object }) {
  const fetchApi = {
    fetch: jest.fn(async (input: RequestInfo | URL) => {
      expect(String(input)).toBe(
        'http://backend/api/mlops/models/churn%3A%20xgb/versions/3/logged-model',
      );
      return new Response(JSON.stringify(answer.body), {
        status: answer.status,
        headers: { 'Content-Type': 'application/json' },
      });
    }),
  };
  return renderInTestApp(
    <TestApiProvider
      apis={[
        [fetchApiRef, fetchApi],
        [
          discoveryApiRef,
          { getBaseUrl: async () => 'http://backend/api/mlops' },
        ],
      ]}
    >
      <ModelVersionDetails model="churn: xgb" version={3} />
    </TestApiProvider>,
  );
}

describe('ModelVersionDetails', () => {
  it('shows flavors, the signature and the input example', async () => {
    await render({
      status: 200,
      body: {
        artifactUri: 'mlflow-artifacts:/1/abc/artifacts/model',
        stored: true,
        found: true,
        flavors: [
          {
            name: 'python_function',
            details: { loader_module: 'mlflow.sklearn' },
          },
          { name: 'sklearn', details: { sklearn_version: '1.2.1' } },
        ],
        signature: {
          inputs: [{ name: 'age', type: 'double', required: true }],
          outputs: [{ type: 'tensor float64 [-1]' }],
        },
        inputExample: {
          text: '{"columns":["age"],"data":[[0.03]]}',
          truncated: false,
          type: 'dataframe',
        },
        mlflowVersion: '2.17.2',
      },
    });
    expect(await screen.findByText('sklearn')).toBeInTheDocument();
    expect(screen.getByText('python_function')).toBeInTheDocument();
    expect(screen.getByRole('table', { name: 'Inputs' })).toHaveTextContent(
      'age',
    );
    expect(screen.getByRole('table', { name: 'Inputs' })).toHaveTextContent(
      'double',
    );
    expect(screen.getByRole('table', { name: 'Outputs' })).toHaveTextContent(
      'tensor float64 [-1]',
    );
    expect(screen.getByText('Input example (dataframe)')).toBeInTheDocument();
    expect(screen.getByText(/"columns": \[/)).toBeInTheDocument();
  });

  it('says where the files are when the portal does not keep them', async () => {
    await render({
      status: 200,
      body: {
        artifactUri: 's3://elsewhere/model',
        stored: false,
        found: false,
      },
    });
    expect(
      await screen.findByText('No model files in the portal'),
    ).toBeInTheDocument();
    expect(screen.getByText(/s3:\/\/elsewhere\/model/)).toBeInTheDocument();
  });

  it('shows the backend’s error', async () => {
    await render({
      status: 404,
      body: {
        error: {
          name: 'NotFoundError',
          message: 'Model churn: xgb has no version 3',
        },
      },
    });
    expect(
      (await screen.findAllByText(/Model churn: xgb has no version 3/)).length,
    ).toBeGreaterThan(0);
  });

  it('pretty-prints a JSON example and keeps anything else', () => {
    expect(formatInputExample('{"a":1}')).toBe('{\n  "a": 1\n}');
    expect(formatInputExample('not json')).toBe('not json');
  });
});
