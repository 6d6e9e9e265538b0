import { isError } from '@backstage/errors';
import { ErrorRequestHandler } from 'express';

/**
 * The error codes of MLflow's REST API that this endpoint answers with, and
 * the HTTP status MLflow's own server pairs with each.
 */
export const MLFLOW_ERROR_STATUS = {
  INVALID_PARAMETER_VALUE: 400,
  BAD_REQUEST: 400,
  RESOURCE_ALREADY_EXISTS: 400,
  /** Something MLflow has and this server does not (multipart uploads, traces). */
  NOT_IMPLEMENTED: 501,
  INVALID_STATE: 400,
  RESOURCE_LIMIT_EXCEEDED: 400,
  UNAUTHENTICATED: 401,
  PERMISSION_DENIED: 403,
  RESOURCE_DOES_NOT_EXIST: 404,
  /** A change the portal's governance refuses (a version in Production, aliased or deployed). */
  RESOURCE_CONFLICT: 409,
  ENDPOINT_NOT_FOUND: 404,
  INTERNAL_ERROR: 500,
} as const;

/** An MLflow error code. */
export type MlflowErrorCode = keyof typeof MLFLOW_ERROR_STATUS;

/** An error that the MLflow endpoint reports in MLflow's own shape. */
export class MlflowError extends Error {
  constructor(readonly code: MlflowErrorCode, message: string) {
    super(message);
    this.name = 'MlflowError';
  }
}

/*
 * The portal's services throw Backstage's errors (InputError, NotFoundError,
 * ConflictError…). MLflow clients branch on `error_code`, so each is mapped
 * to the code MLflow uses for the same situation.
 */
const BACKSTAGE_ERROR_CODES: Record<string, MlflowErrorCode> = {
  InputError: 'INVALID_PARAMETER_VALUE',
  NotFoundError: 'RESOURCE_DOES_NOT_EXIST',
  ConflictError: 'RESOURCE_ALREADY_EXISTS',
  AuthenticationError: 'UNAUTHENTICATED',
  NotAllowedError: 'PERMISSION_DENIED',
  NotModifiedError: 'INVALID_STATE',
};

/** Maps any thrown value to the MLflow error a client should see. */
export function toMlflowError(error: unknown): MlflowError {
  if (error instanceof MlflowError) {
    return error;
  }
  if (isError(error)) {
    const code = BACKSTAGE_ERROR_CODES[error.name];
    if (code) {
      return new MlflowError(code, error.message);
    }
    // express.json() reports malformed and oversized bodies this way.
    const status = (error as { status?: number; type?: string }).status;
    const type = (error as { type?: string }).type;
    if (type === 'entity.too.large') {
      return new MlflowError(
        'RESOURCE_LIMIT_EXCEEDED',
        'The request body exceeds 1 MB',
      );
    }
    if (status === 400 || type === 'entity.parse.failed') {
      return new MlflowError(
        'BAD_REQUEST',
        `Malformed JSON body: ${error.message}`,
      );
    }
  }
  // Never echo an unexpected error's text: it may carry internals.
  return new MlflowError(
    'INTERNAL_ERROR',
    'Internal error while handling the MLflow request',
  );
}

/**
 * Express error handler that answers `{ error_code, message }` with MLflow's
 * status, and logs only what was unexpected.
 */
export function mlflowErrorHandler(logger: {
  error(message: string, meta?: Error): void;
}): ErrorRequestHandler {
  return (error, _req, res, next) => {
    if (res.headersSent) {
      next(error);
      return;
    }
    const mlflowError = toMlflowError(error);
    if (mlflowError.code === 'INTERNAL_ERROR') {
      logger.error(
        'MLflow endpoint request failed',
        isError(error) ? error : undefined,
      );
    }
    res.status(MLFLOW_ERROR_STATUS[mlflowError.code]).json({
      error_code: mlflowError.code,
      message: mlflowError.message,
    });
  };
}
