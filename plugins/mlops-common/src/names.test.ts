import {
  mlflowNameProblem,
  MLOPS_PARAM_VALUE_MAX_LENGTH,
  MLOPS_TAG_VALUE_MAX_LENGTH,
  isValidMlopsName,
  mlopsNameProblem,
  mlopsValueProblem,
} from './names';

describe('the MLOps naming rule', () => {
  it('accepts MLflow-style keys and names in any script', () => {
    for (const name of [
      'fraud-detection',
      'train/loss',
      'mlflow.source.git.commit',
      'val_auc 7d',
      'Betrugserkennung Ü',
      '数据/准确率',
      'x'.repeat(250),
    ]) {
      expect(mlopsNameProblem(name)).toBeUndefined();
    }
  });

  it('says why a name is refused', () => {
    expect(mlopsNameProblem('')).toBe('must not be empty');
    expect(mlopsNameProblem(42)).toBe('must be a string');
    expect(mlopsNameProblem('x'.repeat(251))).toBe(
      'must be at most 250 characters',
    );
    expect(mlopsNameProblem('/abs')).toBe('must not start with /');
    expect(mlopsNameProblem('a/../b')).toBe(
      'must not contain . or .. path segments',
    );
    expect(mlopsNameProblem('./a')).toBe(
      'must not contain . or .. path segments',
    );
    expect(mlopsNameProblem(' padded')).toBe(
      'must not start or end with a space',
    );
    expect(mlopsNameProblem('semi;colon')).toMatch(/may only contain/);
    expect(isValidMlopsName('a..b')).toBe(true);
  });

  it("counts characters, not UTF-16 units, toward MLflow's key limit", () => {
    // 250 astral-plane letters are 500 UTF-16 units but 250 characters.
    expect(mlopsNameProblem('𝒳'.repeat(250))).toBeUndefined();
    expect(mlopsNameProblem('𝒳'.repeat(251))).toMatch(/at most 250/);
  });
});

describe('param and tag values', () => {
  it("holds any text up to MLflow's limits", () => {
    expect(
      mlopsValueProblem('param', '{"layers": [64, 32]}\n'),
    ).toBeUndefined();
    expect(
      mlopsValueProblem('param', 'p'.repeat(MLOPS_PARAM_VALUE_MAX_LENGTH)),
    ).toBeUndefined();
    expect(
      mlopsValueProblem('param', 'p'.repeat(MLOPS_PARAM_VALUE_MAX_LENGTH + 1)),
    ).toBe('must be at most 6000 characters');
    expect(
      mlopsValueProblem('tag', 't'.repeat(MLOPS_TAG_VALUE_MAX_LENGTH)),
    ).toBeUndefined();
    expect(
      mlopsValueProblem('tag', 't'.repeat(MLOPS_TAG_VALUE_MAX_LENGTH + 1)),
    ).toBe('must be at most 8000 characters');
    expect(mlopsValueProblem('tag', 0.1)).toBe('must be a string');
  });
});

describe("MLflow's free-text names", () => {
  it('take what data scientists name experiments and runs', () => {
    for (const name of [
      'churn: xgb (v2)',
      'lr=0.01,bs=64',
      "it's 'quoted'; drop table x",
      '/shared/team-a',
      'مدل‌ها', // Persian with a zero-width non-joiner, part of the script
      'model-🔥',
      ' padded ',
    ]) {
      expect({ name, problem: mlflowNameProblem(name, 500) }).toEqual({
        name,
        problem: undefined,
      });
    }
  });

  it('refuse what cannot be read or printed as a name', () => {
    expect(mlflowNameProblem('', 500)).toBe('must not be empty');
    expect(mlflowNameProblem('   ', 500)).toBe('must not be empty');
    expect(mlflowNameProblem('a\u0000b', 500)).toBe(
      'must not contain control characters',
    );
    expect(mlflowNameProblem('a\nb', 500)).toBe(
      'must not contain control characters',
    );
    for (const sneaky of [
      'model\u202Egpj.exe',
      'fraud\u200Bmodel',
      '\uFEFFx',
      'a\uD800b',
    ]) {
      expect(mlflowNameProblem(sneaky, 500)).toBe(
        'must not contain invisible or direction-changing characters',
      );
    }
    expect(mlflowNameProblem('a/../b', 500)).toBe(
      'must not contain . or .. path segments',
    );
    expect(mlflowNameProblem('x'.repeat(501), 500)).toBe(
      'must be at most 500 characters',
    );
    expect(mlflowNameProblem('x'.repeat(251))).toBe(
      'must be at most 250 characters',
    );
    expect(mlflowNameProblem(7, 500)).toBe('must be a string');
  });
});
