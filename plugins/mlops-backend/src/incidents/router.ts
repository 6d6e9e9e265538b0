import {
  BackstageCredentials,
  HttpAuthService,
} from '@backstage/backend-plugin-api';
import { EntityIncidentsResponse } from '@backstage-mlops/plugin-mlops-common';
import express from 'express';
import Router from 'express-promise-router';
import { z } from 'zod';
import { EntityResolver } from '../entities/EntityResolver';
import { entityRefParams, parseInput } from '../service/validation';
import { IncidentService } from './IncidentService';
import { ObjectRef } from './IncidentStore';

const incidentParams = z.object({ id: z.string().min(1).max(36) });

const noteBody = z
  .object({ note: z.string().trim().min(1).max(2000).optional() })
  .strict();

/**
 * Who is acting, for the timeline: the user's entity reference, or the
 * service principal's subject for automation (an on-call bot, say).
 */
function actorOf(credentials: BackstageCredentials): string {
  const principal = credentials.principal as
    | { type: 'user'; userEntityRef: string }
    | { type: 'service'; subject: string };
  return principal.type === 'user'
    ? principal.userEntityRef
    : `service:${principal.subject}`;
}

/**
 * Routes for incidents: the entity-scoped list, one incident, and the
 * acknowledge and resolve actions. Every route requires credentials.
 */
export async function createIncidentsRouter(options: {
  httpAuth: HttpAuthService;
  entities: EntityResolver;
  incidents: IncidentService;
}): Promise<express.Router> {
  const { httpAuth, entities, incidents } = options;
  const router = Router();
  router.use(express.json({ limit: '16kb' }));

  router.get('/entities/:kind/:namespace/:name/incidents', async (req, res) => {
    const ref = parseInput(entityRefParams, req.params, 'entity reference');
    const credentials = await httpAuth.credentials(req);
    const resolved = await entities.resolve(ref, credentials);
    const objects = resolved.links.filter(
      (l): l is ObjectRef => l.kind === 'model' || l.kind === 'pipeline',
    );
    const body: EntityIncidentsResponse = {
      entityRef: resolved.entityRef,
      items: await incidents.incidentsOf(objects),
    };
    res.json(body);
  });

  router.get('/incidents/:id', async (req, res) => {
    const { id } = parseInput(incidentParams, req.params, 'incident id');
    await httpAuth.credentials(req);
    res.json(await incidents.getIncident(id));
  });

  router.post('/incidents/:id/acknowledge', async (req, res) => {
    const { id } = parseInput(incidentParams, req.params, 'incident id');
    const credentials = await httpAuth.credentials(req, {
      allow: ['user', 'service'],
    });
    const { note } = parseInput(noteBody, req.body ?? {}, 'acknowledgement');
    res.json(await incidents.acknowledge(id, actorOf(credentials), note));
  });

  router.post('/incidents/:id/resolve', async (req, res) => {
    const { id } = parseInput(incidentParams, req.params, 'incident id');
    const credentials = await httpAuth.credentials(req, {
      allow: ['user', 'service'],
    });
    const { note } = parseInput(noteBody, req.body ?? {}, 'resolution');
    res.json(await incidents.resolve(id, actorOf(credentials), note));
  });

  return router;
}
