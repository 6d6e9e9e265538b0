import {
  BackstageCredentials,
  HttpAuthService,
  PermissionsService,
} from '@backstage/backend-plugin-api';
import { NotFoundError } from '@backstage/errors';
import { CatalogService } from '@backstage/plugin-catalog-node';
import {
  EntityIncidentsResponse,
  mlopsIncidentUpdatePermission,
} from '@backstage-mlops/plugin-mlops-common';
import express from 'express';
import Router from 'express-promise-router';
import { z } from 'zod';
import { EntityResolver } from '../shared/EntityResolver';
import { entityRefParams, parseInput } from '../shared/validation';
import { IncidentService } from './IncidentService';
import { ObjectRef } from './IncidentStore';
import { MlopsChangeAuthorizer } from '../permissions/MlopsChangeAuthorizer';

// Incident ids are UUIDs; anything else (a NUL byte included, which
// PostgreSQL refuses in text) is unknown without asking the database.
const incidentParams = z.object({
  id: z
    .string()
    .min(1)
    .max(36)
    .regex(/^[0-9A-Za-z-]+$/, 'not an incident id'),
});

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
  catalog: CatalogService;
  permissions: PermissionsService;
}): Promise<express.Router> {
  const { httpAuth, entities, incidents, catalog, permissions } = options;
  // An incident's state is decided on the catalog entities linked to its
  // model or pipeline, like every other change that touches production.
  const authorizer = new MlopsChangeAuthorizer(catalog, permissions);
  const authorize = async (id: string, credentials: BackstageCredentials) => {
    const incident = await incidents.getIncident(id);
    await authorizer.authorizeObject(
      incident.object,
      mlopsIncidentUpdatePermission,
      credentials,
      'change the incidents of',
    );
  };
  const router = Router();
  // Only its own paths: a parser on every request passing through would
  // apply this limit to the routers mounted after it.
  router.use('/incidents', express.json({ limit: '16kb' }));

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
    const credentials = await httpAuth.credentials(req, {
      allow: ['user', 'service'],
    });
    const incident = await incidents.getIncident(id);
    // A person reads an incident only through an entity they can see, as
    // on the entity pages; services read any.
    if (
      credentials.principal.type === 'user' &&
      (await authorizer.linkedEntities(incident.object, credentials)).length ===
        0
    ) {
      throw new NotFoundError(`No incident ${id}`);
    }
    res.json(incident);
  });

  router.post('/incidents/:id/acknowledge', async (req, res) => {
    const { id } = parseInput(incidentParams, req.params, 'incident id');
    const credentials = await httpAuth.credentials(req, {
      allow: ['user', 'service'],
    });
    const { note } = parseInput(noteBody, req.body ?? {}, 'acknowledgement');
    await authorize(id, credentials);
    res.json(await incidents.acknowledge(id, actorOf(credentials), note));
  });

  router.post('/incidents/:id/resolve', async (req, res) => {
    const { id } = parseInput(incidentParams, req.params, 'incident id');
    const credentials = await httpAuth.credentials(req, {
      allow: ['user', 'service'],
    });
    const { note } = parseInput(noteBody, req.body ?? {}, 'resolution');
    await authorize(id, credentials);
    res.json(await incidents.resolve(id, actorOf(credentials), note));
  });

  return router;
}
