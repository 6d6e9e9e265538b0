import { execFileSync } from 'child_process';
import {
  TRIAGE_PLACEHOLDERS,
  fillTriageCommand,
  listCommandPlaceholders,
  shellQuote,
} from './placeholders';

describe('TRIAGE_PLACEHOLDERS', () => {
  it('lists the expected placeholders, each with a description', () => {
    expect(TRIAGE_PLACEHOLDERS.map(p => p.name).sort()).toEqual(
      [
        'deployment',
        'environment',
        'experiment',
        'labelSelector',
        'model',
        'namespace',
        'orchestrator',
        'pipeline',
        'servingUrl',
        'trackingUrl',
      ].sort(),
    );
    for (const p of TRIAGE_PLACEHOLDERS) {
      expect(p.description.trim()).not.toBe('');
    }
  });
});

describe('fillTriageCommand', () => {
  it('substitutes known values', () => {
    expect(
      fillTriageCommand(
        'kubectl get pods -n {{namespace}} -l {{labelSelector}}',
        {
          namespace: 'ml-production',
          labelSelector: 'app=fraud,tier=serving',
        },
      ),
    ).toEqual({
      text: 'kubectl get pods -n ml-production -l app=fraud,tier=serving',
      missing: [],
    });
  });

  it('keeps URLs readable', () => {
    expect(
      fillTriageCommand('curl -sf {{servingUrl}}/health', {
        servingUrl: 'http://fraud.ml.svc.cluster.local:8080',
      }).text,
    ).toBe('curl -sf http://fraud.ml.svc.cluster.local:8080/health');
  });

  it('shows missing values as <name> and reports each once, in order', () => {
    expect(
      fillTriageCommand(
        'kubectl logs -n {{namespace}} -l {{labelSelector}} && kubectl get pods -n {{namespace}}',
        { labelSelector: 'app=x' },
      ),
    ).toEqual({
      text: 'kubectl logs -n <namespace> -l app=x && kubectl get pods -n <namespace>',
      missing: ['namespace'],
    });
  });

  it('treats empty and whitespace-only values as missing', () => {
    expect(
      fillTriageCommand(
        'prefect flow-run ls --flow-name {{pipeline}} -n {{model}}',
        {
          pipeline: '',
          model: '  ',
        },
      ),
    ).toEqual({
      text: 'prefect flow-run ls --flow-name <pipeline> -n <model>',
      missing: ['pipeline', 'model'],
    });
  });

  it('accepts spaces inside the braces', () => {
    expect(
      fillTriageCommand('echo {{ namespace }}', { namespace: 'a' }).text,
    ).toBe('echo a');
  });

  it('shows unknown placeholder names without reporting them as missing', () => {
    expect(fillTriageCommand('kubectl logs {{podName}}', {})).toEqual({
      text: 'kubectl logs <podName>',
      missing: [],
    });
  });

  it('quotes a hostile value so it cannot run as a command', () => {
    expect(
      fillTriageCommand('kubectl get pods -n {{namespace}}', {
        namespace: 'a; rm -rf /',
      }).text,
    ).toBe("kubectl get pods -n 'a; rm -rf /'");
  });

  it('escapes single quotes inside values', () => {
    expect(shellQuote("it's")).toBe("'it'\\''s'");
    expect(shellQuote('plain-value_1.2')).toBe('plain-value_1.2');
  });

  it('ignores inherited properties of the context object', () => {
    const context = Object.create({ namespace: 'inherited' });
    expect(fillTriageCommand('echo {{namespace}}', context).missing).toEqual([
      'namespace',
    ]);
  });

  const hostile = [
    'a; rm -rf /',
    "it's",
    '$(touch /tmp/triage-pwned)',
    '`id`',
    'two words',
    'line\nbreak',
    '"double" and \\ backslash',
    '*',
    '',
  ].filter(v => v !== '');

  it.each(hostile)('round-trips %j through a real shell unchanged', value => {
    const { text } = fillTriageCommand("printf '%s' {{namespace}}", {
      namespace: value,
    });
    const out = execFileSync('bash', ['-c', text], { encoding: 'utf8' });
    expect(out).toBe(value);
  });
});

describe('listCommandPlaceholders', () => {
  it('lists names in order of first appearance, ignoring Go templates', () => {
    expect(
      listCommandPlaceholders(
        "docker ps --format '{{.Names}}' {{model}} {{namespace}} {{model}}",
      ),
    ).toEqual(['model', 'namespace']);
  });
});
