export {
  RunArtifacts,
  formatBytes,
  previewKindOf,
  csvRows,
} from './RunArtifacts';
export type { RunArtifactFile, RunDatasetInput } from './RunArtifacts';
export { RunArtifactsButton } from './RunArtifactsButton';
