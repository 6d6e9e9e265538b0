import {
  BackstageCredentials,
  HttpAuthService,
  PermissionsService,
} from '@backstage/backend-plugin-api';
import { stringifyEntityRef } from '@backstage/catalog-model';
import { NotAllowedError } from '@backstage/errors';
import { CatalogService } from '@backstage/plugin-catalog-node';
import { AuthorizeResult } from '@backstage/plugin-permission-common';
import {
  EntityIncidentsResponse,
  MLOPS_OBJECT_ANNOTATIONS,
  MlopsIncident,
  mlopsIncidentUpdatePermission,
} from '@backstage-mlops/plugin-mlops-common';
import express from 'express';
import Router from 'express-promise-router';
import { z } from 'zod';
import { EntityResolver } from '../entities/EntityResolver';
import { entityRefParams, parseInput } from '../service/validation';
import { IncidentService } from './IncidentService';
import { ObjectRef } from './IncidentStore';

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
 * Decides whether the caller may acknowledge or resolve an incident. The
 * permission is a resource permission on catalog entities, so it is checked
 * against the entities that link to the incident's object (seen with the
 * caller's own catalog access); any one allowing is enough, so the owners of
 * a model's Component and of the service that serves it can both act.
 */
async function authorizeIncidentUpdate(
  incident: MlopsIncident,
  credentials: BackstageCredentials,
  catalog: CatalogService,
  permissions: PermissionsService,
): Promise<void> {
  const annotation = MLOPS_OBJECT_ANNOTATIONS[incident.object.kind];
  const { items } = await catalog.getEntities(
    {
      filter: { [`metadata.annotations.${annotation}`]: incident.object.name },
      fields: ['kind', 'metadata.namespace', 'metadata.name'],
    },
    { credentials },
  );
  if (items.length === 0) {
    throw new NotAllowedError(
      `No catalog entity you can see links to ${incident.object.kind} ${incident.object.name}`,
    );
  }
  const decisions = await permissions.authorize(
    items.map(entity => ({
      permission: mlopsIncidentUpdatePermission,
      resourceRef: stringifyEntityRef(entity),
    })),
    { credentials },
  );
  if (!decisions.some(d => d.result === AuthorizeResult.ALLOW)) {
    throw new NotAllowedError(
      `You may not change incidents of ${incident.object.kind} ${incident.object.name}`,
    );
  }
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
  const authorize = async (id: string, credentials: BackstageCredentials) =>
    authorizeIncidentUpdate(
      await incidents.getIncident(id),
      credentials,
      catalog,
      permissions,
    );
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
