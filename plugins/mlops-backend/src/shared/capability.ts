import {
  HttpRouterService,
  HttpRouterServiceAuthPolicy,
  SchedulerService,
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
 * service for the capabilities created after it, its scheduled tasks, and
 * the auth policies of routes that check their callers themselves.
 * `plugin.ts` hands every capability to {@link installCapabilities}.
 */
export interface Capability<TService = unknown> {
  router?: express.Router;
  service?: TService;
  scheduledTasks?: ScheduledTask[];
  authPolicies?: HttpRouterServiceAuthPolicy[];
}

/**
 * Mounts each capability's router, schedules its tasks and adds its auth
 * policies, one capability after another: routers are mounted in the order
 * given.
 */
export async function installCapabilities(
  capabilities: Capability[],
  plugin: { httpRouter: HttpRouterService; scheduler: SchedulerService },
): Promise<void> {
  for (const capability of capabilities) {
    if (capability.router) {
      plugin.httpRouter.use(capability.router);
    }
    for (const task of capability.scheduledTasks ?? []) {
      await plugin.scheduler.scheduleTask(task);
    }
    for (const policy of capability.authPolicies ?? []) {
      plugin.httpRouter.addAuthPolicy(policy);
    }
  }
}
