/**
 * Types, annotation constants, drift statistics and the triage knowledge base
 * shared by the MLOps plugins.
 *
 * @packageDocumentation
 */

export * from './annotations';
export * from './health';
export * from './monitoring';
export * from './names';
export * from './tracking';
export * from './permissions';
export * from './registry';
export * from './objects';
export * from './drift';
export * from './driftChecks';
export * from './triage';
export * from './fleet';
export * from './deployments';
export * from './pipelineRuns';
export * from './search';
export * from './sources';
export * from './random';
