import { mockServices, startTestBackend } from '@backstage/backend-test-utils';
import { catalogServiceMock } from '@backstage/plugin-catalog-node/testUtils';
import { searchIndexRegistryExtensionPoint } from '@backstage/plugin-search-backend-node/alpha';
import { MlopsCollatorFactory } from './collators/MlopsCollatorFactory';
import { searchModuleMlopsCollator } from './module';

describe('searchModuleMlopsCollator', () => {
  it('registers the MLOps collator with the search index on the configured schedule', async () => {
    const addCollator = jest.fn();
    await startTestBackend({
      extensionPoints: [
        [
          searchIndexRegistryExtensionPoint,
          { addCollator, addDecorator: jest.fn() },
        ],
      ],
      features: [
        searchModuleMlopsCollator,
        catalogServiceMock.factory({ entities: [] }),
        mockServices.rootConfig.factory({
          data: {
            search: {
              collators: {
                mlops: {
                  schedule: {
                    frequency: { minutes: 3 },
                    timeout: { minutes: 2 },
                  },
                },
              },
            },
          },
        }),
      ],
    });
    expect(addCollator).toHaveBeenCalledTimes(1);
    const { factory, schedule } = addCollator.mock.calls[0][0];
    expect(factory).toBeInstanceOf(MlopsCollatorFactory);
    expect(factory.type).toBe('mlops');
    expect(schedule).toBeDefined();
  });
});
