// One error shape for the whole API: { error: { code, message, details? } }.
export interface ErrorDetail {
  /** Where the problem is: 'body.phone', 'query.limit', 'line 12', 'feature 3'... */
  path: string;
  message: string;
}

export class AppError extends Error {
  constructor(
    readonly statusCode: number,
    readonly code: string,
    message: string,
    readonly details?: ErrorDetail[],
    /** extra response headers, e.g. Retry-After */
    readonly headers?: Record<string, string>,
  ) {
    super(message);
  }
}

export const badRequest = (message: string, details?: ErrorDetail[]) => new AppError(400, 'VALIDATION', message, details);
/** A 400 naming one field. */
export const invalidField = (path: string, message: string) => badRequest(`${path}: ${message}`, [{ path, message }]);
export const notFound = (what: string) => new AppError(404, 'NOT_FOUND', `${what} not found`);
export const unauthorized = (message = 'Authentication required') => new AppError(401, 'UNAUTHORIZED', message);
export const forbidden = (message = 'You do not have permission for this action') => new AppError(403, 'FORBIDDEN', message);
export const conflict = (message: string, details?: ErrorDetail[]) => new AppError(409, 'CONFLICT', message, details);
export const tooMany = (message: string, retryAfterSeconds?: number) =>
  new AppError(429, 'RATE_LIMITED', message, undefined, retryAfterSeconds ? { 'retry-after': String(Math.ceil(retryAfterSeconds)) } : undefined);

export function errorBody(code: string, message: string, details?: ErrorDetail[]) {
  return { error: details?.length ? { code, message, details } : { code, message } };
}
