export { MlflowLinkPage, parseMlflowRoute } from './MlflowLinkPage';
