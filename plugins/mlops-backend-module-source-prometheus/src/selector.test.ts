import { ConfigReader } from '@backstage/config';
import { mockServices } from '@backstage/backend-test-utils';
import { queriesFor, readPrometheusInstanceOptions } from './PrometheusSource';
import { formatMatchers, parseLabelSelector } from './selector';

const options = readPrometheusInstanceOptions({
  type: 'prometheus',
  name: 'default',
  baseUrl: 'http://prometheus:9090',
  logger: mockServices.logger.mock(),
  config: new ConfigReader({}),
});

describe('label selectors from annotations', () => {
  it('reads name="value" pairs with every operator, braces optional', () => {
    expect(
      parseLabelSelector(
        'job="fraud-serving", namespace=~"payments-.*",env!="dev"',
      ),
    ).toEqual([
      { name: 'job', op: '=', value: 'fraud-serving' },
      { name: 'namespace', op: '=~', value: 'payments-.*' },
      { name: 'env', op: '!=', value: 'dev' },
    ]);
    expect(parseLabelSelector('{job="a"}')).toEqual([
      { name: 'job', op: '=', value: 'a' },
    ]);
  });

  it.each([
    ['a metric and a function', 'job="a"} or up{job="b"'],
    ['a closing brace smuggled in a value', 'job="a"}) or vector(1'],
    ['an unquoted value', 'job=a'],
    ['a metric name', 'up'],
    ['a range', 'job="a"}[5m]'],
    ['only a negative matcher', 'job!="a"'],
    ['nothing', '   '],
    ['a newline in a value', 'job="a\nb"'],
  ])('refuses %s', (_, text) => {
    expect(() => parseLabelSelector(text)).toThrow();
  });

  it('quotes values again when writing PromQL, so a quote in a value stays a quote', () => {
    const matchers = parseLabelSelector('job="fr\\"aud"');
    expect(matchers[0].value).toBe('fr"aud');
    expect(formatMatchers(matchers)).toBe('job="fr\\"aud"');
  });

  it('builds the default queries from the selector and the configured histogram', () => {
    const queries = queriesFor(
      {
        'backstage-mlops.dev/prometheus-selector':
          'job="fraud-serving",namespace="payments-ml"',
      },
      options,
      300,
    )!;
    expect(queries.p95).toBe(
      'histogram_quantile(0.95, sum by (le) (rate(http_server_request_duration_seconds_bucket{job="fraud-serving",namespace="payments-ml"}[300s]))) * 1000',
    );
    expect(queries.errorRate).toContain(
      'http_server_request_duration_seconds_count{job="fraud-serving",namespace="payments-ml",http_response_status_code=~"5.."}[300s]',
    );
    expect(queriesFor({}, options, 300)).toBeUndefined();
    expect(() =>
      queriesFor(
        { 'backstage-mlops.dev/prometheus-selector': 'job="a"} or up{' },
        options,
        300,
      ),
    ).toThrow(/prometheus-selector is not a label selector/);
  });

  it('takes explicit queries with the window filled in', () => {
    const queries = queriesFor(
      {
        'backstage-mlops.dev/prometheus-latency-p95':
          'max(my_p95_ms{job="x"}[$__range])',
      },
      options,
      120,
    )!;
    expect(queries).toEqual({ p95: 'max(my_p95_ms{job="x"}[120s])' });
  });
});
