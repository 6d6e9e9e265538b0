/**
 * The MLOps demo module: seeds the demo organisation for the demo portal.
 * Install it in a demo backend only; an adopter's backend leaves it out.
 *
 * @packageDocumentation
 */

export { mlopsModuleDemo as default } from './module';
