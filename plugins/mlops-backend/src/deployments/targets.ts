import { LoggerService } from '@backstage/backend-plugin-api';
import { InputError } from '@backstage/errors';
import {
  MlopsDeploymentRequest,
  MlopsDeploymentTarget,
  MlopsDeploymentTargetParams,
  MlopsDeploymentTargetResult,
} from '@backstage-mlops/plugin-mlops-node';
import { redactUrl } from '../shared/redactUrl';

/**
 * The built-in `record` target: it only records the deployment. The CD
 * system that does the work reports progress with `PATCH /deployments/:id`.
 */
export class RecordDeploymentTarget implements MlopsDeploymentTarget {
  readonly type = 'record';

  validate(params: MlopsDeploymentTargetParams) {
    if (params.url !== undefined) {
      throw new InputError('The record target takes no url');
    }
  }

  async deploy(): Promise<void> {}
}

function normalizeUrl(url: string): string | undefined {
  try {
    return new URL(url).href;
  } catch {
    return undefined;
  }
}

/**
 * The built-in `webhook` target: POSTs the deployment as JSON to a URL on
 * the `mlops.deployments.webhook.allowedUrls` list.
 *
 * The caller may pick one of the allowed URLs with `target.url`; the request
 * is then sent to the configured string the caller's value matched, never to
 * the caller's string itself, so no request ever goes to an address that came
 * from user input.
 */
export class WebhookDeploymentTarget implements MlopsDeploymentTarget {
  readonly type = 'webhook';
  private readonly allowed: Map<string, string>;

  constructor(
    allowedUrls: string[],
    private readonly logger: LoggerService,
    private readonly timeoutMs = 10_000,
  ) {
    this.allowed = new Map();
    for (const url of allowedUrls) {
      const normalized = normalizeUrl(url);
      if (!normalized || !/^https?:$/.test(new URL(url).protocol)) {
        throw new Error(
          `mlops.deployments.webhook.allowedUrls has an entry that is not an http(s) URL (${redactUrl(
            url,
          )})`,
        );
      }
      this.allowed.set(normalized, url);
    }
  }

  validate(params: MlopsDeploymentTargetParams) {
    this.resolve(params);
  }

  async deploy(
    deployment: MlopsDeploymentRequest,
    params: MlopsDeploymentTargetParams,
  ): Promise<MlopsDeploymentTargetResult> {
    const url = this.resolve(params);
    const origin = redactUrl(url);
    let response: Response;
    try {
      response = await fetch(url, {
        method: 'POST',
        headers: { 'content-type': 'application/json' },
        body: JSON.stringify({ deployment }),
        redirect: 'manual',
        signal: AbortSignal.timeout(this.timeoutMs),
      });
    } catch (error) {
      this.logger.warn(
        `Deployment webhook to ${origin} for deployment ${
          deployment.id
        } failed: ${(error as Error).name}`,
      );
      return {
        status: 'failed',
        message: `The deployment webhook at ${origin} could not be reached`,
      };
    }
    if (response.status >= 200 && response.status < 300) {
      return {
        status: 'in_progress',
        message: `Handed to the deployment webhook at ${origin} (HTTP ${response.status})`,
      };
    }
    this.logger.warn(
      `Deployment webhook to ${origin} for deployment ${deployment.id} answered HTTP ${response.status}`,
    );
    return {
      status: 'failed',
      message: `The deployment webhook at ${origin} answered HTTP ${response.status}`,
    };
  }

  /** The configured URL the request's parameters pick. */
  private resolve(params: MlopsDeploymentTargetParams): string {
    if (this.allowed.size === 0) {
      throw new InputError(
        'The webhook target is not available: mlops.deployments.webhook.allowedUrls is empty',
      );
    }
    if (params.url === undefined) {
      if (this.allowed.size === 1) {
        return [...this.allowed.values()][0];
      }
      throw new InputError(
        'The webhook target needs a url: one of mlops.deployments.webhook.allowedUrls',
      );
    }
    const normalized = normalizeUrl(params.url);
    const configured = normalized ? this.allowed.get(normalized) : undefined;
    if (!configured) {
      throw new InputError(
        'The webhook url is not on mlops.deployments.webhook.allowedUrls',
      );
    }
    return configured;
  }
}

/** The deployment targets by type, built-in and added through the extension point. */
export class DeploymentTargets {
  private readonly byType = new Map<string, MlopsDeploymentTarget>();

  constructor(targets: MlopsDeploymentTarget[]) {
    for (const target of targets) {
      if (this.byType.has(target.type)) {
        throw new Error(
          `Two MLOps deployment targets have the type '${target.type}'`,
        );
      }
      this.byType.set(target.type, target);
    }
  }

  types(): string[] {
    return [...this.byType.keys()];
  }

  /** The target for a type, or a 400 listing the known ones. */
  get(type: string): MlopsDeploymentTarget {
    const target = this.byType.get(type);
    if (!target) {
      throw new InputError(
        `Unknown deployment target '${type}'; known targets: ${this.types().join(
          ', ',
        )}`,
      );
    }
    return target;
  }
}
