import express from 'express';

/** Largest JSON body a route accepts unless it names its own limit (MLflow's batch limit). */
export const MAX_BODY_BYTES = 1024 * 1024;

/**
 * A JSON body parser for one route or path. Each router puts it on its own
 * routes rather than on every request passing through, so that one router's
 * limit never applies to another's routes, whatever the mount order.
 */
export function jsonBody(limit: number | string = MAX_BODY_BYTES) {
  return express.json({ limit });
}
