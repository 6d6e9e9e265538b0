import { AuthService, DiscoveryService } from '@backstage/backend-plugin-api';
import { ResponseError } from '@backstage/errors';
import {
  MlopsRegisterPipelineRequest,
  MlopsRegisterPipelineResponse,
  mlopsNameProblem,
} from '@backstage-mlops/plugin-mlops-common';
import {
  createTemplateAction,
  TemplateAction,
} from '@backstage/plugin-scaffolder-node';

const ACTION_ID = 'mlops:pipeline:register';

// Five cron fields, or one of the @-shorthands both orchestrators accept.
const CRON =
  /^(@(yearly|annually|monthly|weekly|daily|hourly)|(\S+\s+){4}\S+)$/;

function nameRefinement(value: string) {
  return mlopsNameProblem(value) === undefined;
}

/**
 * The `mlops:pipeline:register` action: registers a pipeline, the experiment
 * it logs to and the model it trains in the MLOps store, in one transaction
 * on the backend. Running it again with the same input changes nothing, so a
 * retried template run is safe. In a dry run the backend checks the
 * registration (names, owner conflicts) and answers what it would store
 * without storing it.
 *
 * @public
 */
export function createPipelineRegisterAction(options: {
  discovery: DiscoveryService;
  auth: AuthService;
}) {
  const { discovery, auth } = options;
  return createTemplateAction({
    id: ACTION_ID,
    description:
      'Registers a pipeline, its experiment and its model in the MLOps store (idempotent)',
    supportsDryRun: true,
    examples: [
      {
        description: 'Register a Prefect pipeline training a churn model',
        example: [
          '- id: register-mlops',
          `  action: ${ACTION_ID}`,
          '  input:',
          '    name: churn-training',
          '    owner: group:default/risk-ml',
          '    orchestrator: prefect',
          "    schedule: '0 2 * * *'",
          '    modelName: churn',
        ].join('\n'),
      },
    ],
    schema: {
      input: {
        name: z =>
          z
            .string()
            .refine(nameRefinement, 'is not a valid MLOps name')
            .describe('Pipeline name'),
        owner: z =>
          z
            .string()
            .min(1)
            .describe('Owner entity reference, e.g. group:default/risk-ml'),
        modelName: z =>
          z
            .string()
            .refine(nameRefinement, 'is not a valid MLOps name')
            .describe('Name of the model the pipeline trains'),
        experimentName: z =>
          z
            .string()
            .refine(nameRefinement, 'is not a valid MLOps name')
            .optional()
            .describe(
              'Experiment the pipeline logs to; defaults to the model name',
            ),
        description: z =>
          z.string().max(10_000).optional().describe('What the pipeline does'),
        orchestrator: z =>
          z.enum(['prefect', 'airflow']).describe('Orchestrator that runs it'),
        schedule: z =>
          z
            .string()
            .regex(CRON, 'must be a cron expression')
            .optional()
            .describe('Cron schedule of the pipeline'),
        stages: z =>
          z
            .array(z.string().min(1).max(100))
            .max(50)
            .optional()
            .describe('Stage names, in order'),
      },
      output: {
        pipelineId: z => z.string().describe('Store id of the pipeline'),
        experimentId: z => z.string().describe('Store id of the experiment'),
        modelId: z => z.string().describe('Store id of the model'),
        pipelineUrl: z => z.string().describe('MLOps page of the pipeline'),
        experimentUrl: z => z.string().describe('MLOps page of the experiment'),
        modelUrl: z => z.string().describe('MLOps page of the model'),
      },
    },
    async handler(ctx) {
      const { input } = ctx;
      const body: MlopsRegisterPipelineRequest = {
        owner: input.owner,
        pipeline: {
          name: input.name,
          description: input.description,
          orchestrator: input.orchestrator,
          schedule: input.schedule,
          stages: input.stages,
        },
        experiment: { name: input.experimentName ?? input.modelName },
        model: { name: input.modelName },
      };
      const baseUrl = await discovery.getBaseUrl('mlops');
      const { token } = await auth.getPluginRequestToken({
        onBehalfOf: await auth.getOwnServiceCredentials(),
        targetPluginId: 'mlops',
      });
      const response = await fetch(
        `${baseUrl}/objects/register${ctx.isDryRun ? '?dryRun=true' : ''}`,
        {
          method: 'POST',
          headers: {
            'Content-Type': 'application/json',
            Authorization: `Bearer ${token}`,
          },
          body: JSON.stringify(body),
        },
      );
      if (!response.ok) {
        const error = await ResponseError.fromResponse(response);
        throw new Error(
          `Could not register pipeline "${input.name}" in MLOps: ${
            error.body?.error?.message ?? error.message
          }`,
        );
      }
      const result = (await response.json()) as MlopsRegisterPipelineResponse;
      ctx.logger.info(
        `${ctx.isDryRun ? 'Dry run: would register' : 'Registered'} pipeline ${
          result.pipeline.name
        }, experiment ${result.experiment.name} and model ${
          result.model.name
        } for ${input.owner}`,
      );
      ctx.output('pipelineId', result.pipeline.id);
      ctx.output('experimentId', result.experiment.id);
      ctx.output('modelId', result.model.id);
      ctx.output('pipelineUrl', result.pipeline.links.mlopsPage);
      ctx.output('experimentUrl', result.experiment.links.mlopsPage);
      ctx.output('modelUrl', result.model.links.mlopsPage);
    },
  });
}

/**
 * The scaffolder actions this module provides.
 *
 * @public
 */
export function createMlopsActions(options: {
  discovery: DiscoveryService;
  auth: AuthService;
}): TemplateAction<any, any, any>[] {
  return [createPipelineRegisterAction(options)];
}
