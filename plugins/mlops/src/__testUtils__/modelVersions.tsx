import { Entity } from '@backstage/catalog-model';
import {
  EntityModelsResponse,
  ModelVersion,
} from '@backstage-mlops/plugin-mlops-common';
import { MlopsApi } from '../api';
import { EntityMlopsModelVersionsCard } from '../components/EntityMlopsModelVersionsCard/EntityMlopsModelVersionsCard';
import { mlModelEntity, renderEntityCard } from './cards';

/*
 * The model the versions card tests act on: fraud-detection with a Staging
 * challenger (v3), a Production champion (v2), an archived v1 and two
 * history entries.
 */

/** The entity of the fraud-detection model. */
export const modelEntity = mlModelEntity('fraud-detection');

const daysAgo = (days: number) =>
  new Date(Date.now() - days * 24 * 3600 * 1000).toISOString();

/** A READY version of fraud-detection, `age` days old. */
export function version(
  number: number,
  stage: ModelVersion['stage'],
  metrics: Record<string, number>,
  aliases: string[] = [],
  age = 10 - number,
): ModelVersion {
  return {
    model: 'fraud-detection',
    version: number,
    stage,
    status: 'READY',
    metrics,
    params: {},
    tags: {},
    aliases,
    createdAt: daysAgo(age),
    updatedAt: daysAgo(age),
    stageChangedAt: daysAgo(age),
  };
}

/** fraud-detection's versions and history as the entity's models route answers. */
export const withVersions: EntityModelsResponse = {
  entityRef: 'component:default/fraud-detection',
  models: [
    {
      name: 'fraud-detection',
      known: true,
      model: {
        name: 'fraud-detection',
        tags: {},
        latestVersion: 3,
        productionVersion: 2,
        aliases: { champion: 2, challenger: 3 },
        createdAt: daysAgo(30),
        updatedAt: daysAgo(1),
      },
      versions: [
        version(
          3,
          'Staging',
          { auc: 0.931, val_loss: 0.221 },
          ['challenger'],
          1,
        ),
        version(
          2,
          'Production',
          { auc: 0.927, val_loss: 0.226 },
          ['champion'],
          5,
        ),
        version(1, 'Archived', { auc: 0.912, val_loss: 0.241 }, [], 20),
      ],
      history: [
        {
          id: 3,
          model: 'fraud-detection',
          version: 2,
          action: 'rollback',
          from: 'Archived',
          to: 'Production',
          actor: 'user:default/ada',
          reason: 'False positives doubled on weekend traffic',
          at: daysAgo(2),
        },
        {
          id: 2,
          model: 'fraud-detection',
          version: 3,
          action: 'alias_set',
          alias: 'challenger',
          to: '3',
          actor: 'user:default/lin',
          at: daysAgo(3),
        },
      ],
    },
  ],
};

/**
 * Renders the versions card for `modelEntity` (or `entity`), with every
 * permission allowed unless `allow` is false.
 */
export function renderVersionsCard(
  api: Partial<MlopsApi>,
  options: { entity?: Entity; allow?: boolean } = {},
) {
  return renderEntityCard(<EntityMlopsModelVersionsCard />, {
    entity: options.entity ?? modelEntity,
    api,
    permission: options.allow !== false,
  });
}
