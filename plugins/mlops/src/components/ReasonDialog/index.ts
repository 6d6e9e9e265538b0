export { ConfirmDialog, ReasonDialog } from './ReasonDialog';
