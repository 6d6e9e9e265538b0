import { HttpAuthService } from '@backstage/backend-plugin-api';
import { AuthenticationError, InputError } from '@backstage/errors';
import express from 'express';
import Router from 'express-promise-router';
import { SourceService } from './SourceService';

/** Largest webhook body: MLflow's events are small JSON documents. */
const MAX_WEBHOOK_BYTES = 256 * 1024;

const NAME = /^[a-zA-Z0-9][a-zA-Z0-9._-]{0,62}$/;

/**
 * `GET /sources` (each configured instance's sync status; secrets never in
 * it) and `POST /sources/:type/:name/webhook` (unauthenticated by Backstage:
 * the source module checks the sender's signature over the raw body).
 */
export function createSourcesRouter(options: {
  httpAuth: HttpAuthService;
  sources: SourceService;
}): express.Router {
  const { httpAuth, sources } = options;
  const router = Router();

  router.get('/sources', async (req, res) => {
    await httpAuth.credentials(req, { allow: ['user', 'service'] });
    res.json({ items: await sources.statuses() });
  });

  router.post(
    '/sources/:type/:name/webhook',
    express.raw({ type: () => true, limit: MAX_WEBHOOK_BYTES }),
    async (req, res) => {
      const { type, name } = req.params;
      if (!NAME.test(type) || !NAME.test(name)) {
        throw new InputError('Invalid source type or name');
      }
      const headers: Record<string, string | undefined> = {};
      for (const [key, value] of Object.entries(req.headers)) {
        headers[key.toLowerCase()] = Array.isArray(value)
          ? value.join(',')
          : value;
      }
      const rawBody = Buffer.isBuffer(req.body) ? req.body : Buffer.alloc(0);
      const { result } = await sources.handleWebhook(type, name, {
        headers,
        rawBody,
      });
      if (!result.accepted) {
        throw new AuthenticationError('Webhook signature not accepted');
      }
      res.status(202).json({ accepted: true });
    },
  );

  return router;
}
