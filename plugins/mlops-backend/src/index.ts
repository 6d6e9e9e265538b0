/**
 * The MLOps backend plugin: experiment tracking, model registry, deployments,
 * monitoring, drift checks, pipelines, incidents and triage.
 *
 * @packageDocumentation
 */

export { mlopsPlugin as default } from './plugin';
export type { MlopsSeedServices } from './seeders';
