/**
 * Test utilities for MLOps source modules: a plain HTTP client and an
 * in-memory sync context to test a source's sync alone, and a test backend
 * with the MLOps backend plugin to test it end to end.
 *
 * @packageDocumentation
 */

export { memorySyncContext } from './memorySyncContext';
export { plainHttpClient } from './plainHttpClient';
export { startSourceTestBackend } from './startSourceTestBackend';
export type { SourceTestBackend } from './startSourceTestBackend';
