export { MlopsTable, NoWrap, TruncatedText } from './MlopsTable';
