export { ConfirmDialog, ReasonDialog, errorMessage } from './ReasonDialog';
