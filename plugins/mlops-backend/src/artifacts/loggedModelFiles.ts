import { MlopsArtifactStore } from '@backstage-mlops/plugin-mlops-node';
import { Readable } from 'node:stream';
import { parse as parseYaml } from 'yaml';
import { joinArtifactPath, safeArtifactPath } from './paths';

/** The MLmodel file is small; anything larger is not one MLflow wrote. */
const MLMODEL_LIMIT_BYTES = 1024 * 1024;
/** The input example is shown, not processed: its head is enough. */
const INPUT_EXAMPLE_LIMIT_BYTES = 64 * 1024;

/** One column or tensor of a model signature. */
export interface SignatureField {
  name?: string;
  type: string;
  required?: boolean;
}

/** What a model's MLmodel file says, for the portal's version view. */
export interface LoggedModelFiles {
  /** Flavors (`python_function`, `sklearn`…) with their scalar settings. */
  flavors: Array<{ name: string; details: Record<string, string> }>;
  signature?: { inputs: SignatureField[]; outputs: SignatureField[] };
  /** The input example's text, cut at 64 KB. */
  inputExample?: { text: string; truncated: boolean; type?: string };
  mlflowVersion?: string;
  runId?: string;
  modelId?: string;
  createdAt?: string;
}

/** Reads at most `limit` bytes of a stream, and whether there was more. */
async function head(stream: Readable, limit: number) {
  const chunks: Buffer[] = [];
  let size = 0;
  let truncated = false;
  for await (const chunk of stream as AsyncIterable<Buffer>) {
    const room = limit - size;
    if (chunk.length > room) {
      chunks.push(chunk.subarray(0, room));
      truncated = true;
      break;
    }
    chunks.push(chunk);
    size += chunk.length;
  }
  stream.destroy();
  return { text: Buffer.concat(chunks).toString('utf8'), truncated };
}

function scalars(value: unknown): Record<string, string> {
  if (!value || typeof value !== 'object') return {};
  return Object.fromEntries(
    Object.entries(value as Record<string, unknown>)
      .filter(([, v]) => ['string', 'number', 'boolean'].includes(typeof v))
      .map(([k, v]) => [k, String(v)]),
  );
}

function fieldType(field: any): string {
  if (typeof field?.type !== 'string') return 'unknown';
  const spec = field['tensor-spec'];
  if (field.type === 'tensor' && spec) {
    return `tensor ${spec.dtype} ${JSON.stringify(spec.shape)}`;
  }
  return field.type;
}

function signatureFields(json: unknown): SignatureField[] {
  if (typeof json !== 'string') return [];
  try {
    const parsed = JSON.parse(json);
    if (!Array.isArray(parsed)) return [];
    return parsed.map(field => ({
      ...(typeof field?.name === 'string' ? { name: field.name } : {}),
      type: fieldType(field),
      ...(typeof field?.required === 'boolean'
        ? { required: field.required }
        : {}),
    }));
  } catch {
    return [];
  }
}

/**
 * The flavors, signature and input example of the model stored at
 * `modelPath` (the folder holding its MLmodel file), or `undefined` when
 * there is no MLmodel file there.
 */
export async function readLoggedModelFiles(
  store: MlopsArtifactStore,
  modelPath: string,
): Promise<LoggedModelFiles | undefined> {
  const file = await store.read(joinArtifactPath(modelPath, 'MLmodel'));
  if (!file) return undefined;
  const { text, truncated } = await head(file.stream, MLMODEL_LIMIT_BYTES);
  if (truncated) return { flavors: [] };
  let mlmodel: any;
  try {
    // Aliases are capped so that a crafted file cannot expand without bound.
    mlmodel = parseYaml(text, { maxAliasCount: 20 }) ?? {};
  } catch {
    return { flavors: [] };
  }
  const result: LoggedModelFiles = {
    flavors: Object.entries(mlmodel.flavors ?? {}).map(([name, details]) => ({
      name,
      details: scalars(details),
    })),
    ...(typeof mlmodel.mlflow_version === 'string'
      ? { mlflowVersion: mlmodel.mlflow_version }
      : {}),
    ...(typeof mlmodel.run_id === 'string' ? { runId: mlmodel.run_id } : {}),
    ...(typeof mlmodel.model_id === 'string'
      ? { modelId: mlmodel.model_id }
      : {}),
    ...(typeof mlmodel.utc_time_created === 'string'
      ? { createdAt: mlmodel.utc_time_created }
      : {}),
  };
  if (mlmodel.signature) {
    result.signature = {
      inputs: signatureFields(mlmodel.signature.inputs),
      outputs: signatureFields(mlmodel.signature.outputs),
    };
  }
  const example = mlmodel.saved_input_example_info;
  if (example && typeof example.artifact_path === 'string') {
    let examplePath: string | undefined;
    try {
      // The file name comes from the MLmodel file: it obeys the path rule too.
      examplePath = joinArtifactPath(
        modelPath,
        safeArtifactPath(example.artifact_path),
      );
    } catch {
      examplePath = undefined;
    }
    const exampleFile = examplePath ? await store.read(examplePath) : undefined;
    if (exampleFile) {
      const read = await head(exampleFile.stream, INPUT_EXAMPLE_LIMIT_BYTES);
      result.inputExample = {
        ...read,
        ...(typeof example.type === 'string' ? { type: example.type } : {}),
      };
    }
  }
  return result;
}
