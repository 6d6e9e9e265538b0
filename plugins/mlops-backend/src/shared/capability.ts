import {
  SchedulerServiceTaskInvocationDefinition,
  SchedulerServiceTaskScheduleDefinition,
} from '@backstage/backend-plugin-api';
import express from 'express';

/** A task a capability asks the plugin to run on Backstage's scheduler. */
export type ScheduledTask = SchedulerServiceTaskScheduleDefinition &
  SchedulerServiceTaskInvocationDefinition;

/**
 * What every capability's `create<Capability>()` returns: its routes (each
 * router parses its own bodies, so mount order does not matter), its
 * service for the capabilities created after it, and its scheduled tasks.
 * `plugin.ts` mounts every router and schedules every task the same way.
 */
export interface Capability<TService = unknown> {
  router?: express.Router;
  service?: TService;
  scheduledTasks?: ScheduledTask[];
}
