export {
  ModelVersionDetails,
  ModelVersionDetailsButton,
  formatInputExample,
} from './ModelVersionDetails';
export type { ModelVersionFiles, SignatureField } from './ModelVersionDetails';
