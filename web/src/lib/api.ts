// Fetch wrapper for the Vigil API: same-origin cookie auth, JSON in/out, CSRF header, one error class.
import { localizeFieldMessage } from './fieldMessages';

export interface ApiErrorDetail {
  /** Field path as sent by the server, e.g. "/username" or "username" or "items/0/code". */
  path: string;
  message: string;
}

export class ApiError extends Error {
  override readonly name = 'ApiError';
  constructor(
    /** HTTP status; 0 when the server could not be reached. */
    readonly status: number,
    readonly code: string,
    message: string,
    readonly details: ApiErrorDetail[] = [],
    /** Seconds from a Retry-After header (429), if the server sent one. */
    readonly retryAfter: number | null = null,
  ) {
    super(message);
  }

  /** Field errors keyed by field name ("username", "address.street"), first message wins, in the UI language where known. */
  fieldErrors(): Record<string, string> {
    const out: Record<string, string> = {};
    for (const d of this.details) {
      const key = normalizeFieldPath(d.path);
      if (key && !(key in out)) out[key] = localizeFieldMessage(d.message);
    }
    return out;
  }
}

export function isApiError(e: unknown): e is ApiError {
  return e instanceof ApiError;
}

/** "/body/username" | "body.username" | "username" → "username"; "/items/0/code" → "items.0.code". */
export function normalizeFieldPath(path: string): string {
  const parts = path
    .replace(/\[(\d+)\]/g, '.$1')
    .split(/[/.]/)
    .filter((p) => p !== '');
  if (parts[0] === 'body' || parts[0] === 'query' || parts[0] === 'params') parts.shift();
  return parts.join('.');
}

export type QueryValue = string | number | boolean | null | undefined;

/** Builds "?a=1&b=x", skipping undefined, null and empty-string values. */
export function queryString(params: Record<string, QueryValue> | undefined): string {
  if (!params) return '';
  const search = new URLSearchParams();
  for (const [k, v] of Object.entries(params)) {
    if (v === undefined || v === null || v === '') continue;
    search.set(k, String(v));
  }
  const s = search.toString();
  return s ? `?${s}` : '';
}

export interface RequestOptions {
  method?: 'GET' | 'POST' | 'PATCH' | 'PUT' | 'DELETE';
  query?: Record<string, QueryValue>;
  body?: unknown;
  signal?: AbortSignal;
}

function currentLanguage(): string | undefined {
  const lang = globalThis.document?.documentElement.lang;
  return lang ? lang : undefined;
}

function parseRetryAfter(value: string | null): number | null {
  if (!value) return null;
  const seconds = Number(value);
  if (Number.isFinite(seconds)) return Math.max(0, Math.round(seconds));
  const date = Date.parse(value);
  return Number.isNaN(date) ? null : Math.max(0, Math.round((date - Date.now()) / 1000));
}

function isRecord(v: unknown): v is Record<string, unknown> {
  return typeof v === 'object' && v !== null && !Array.isArray(v);
}

async function toApiError(res: Response): Promise<ApiError> {
  const retryAfter = parseRetryAfter(res.headers.get('retry-after'));
  let body: unknown = null;
  try {
    body = await res.json();
  } catch {
    // not JSON (e.g. a proxy's HTML error page)
  }
  const err = isRecord(body) && isRecord(body.error) ? body.error : null;
  const code = err && typeof err.code === 'string' ? err.code : `HTTP_${res.status}`;
  const message = err && typeof err.message === 'string' ? err.message : res.statusText || `HTTP ${res.status}`;
  const details: ApiErrorDetail[] = [];
  if (err && Array.isArray(err.details)) {
    for (const d of err.details) {
      if (isRecord(d) && typeof d.message === 'string') {
        details.push({ path: typeof d.path === 'string' ? d.path : '', message: d.message });
      }
    }
  }
  return new ApiError(res.status, code, message, details, retryAfter);
}

export async function request<T>(path: string, options: RequestOptions = {}): Promise<T> {
  const headers: Record<string, string> = {
    Accept: 'application/json',
    // The server rejects cookie-authenticated requests without it (CSRF defense).
    'X-Requested-With': 'vigil',
  };
  const lang = currentLanguage();
  if (lang) headers['Accept-Language'] = lang;
  const init: RequestInit = {
    method: options.method ?? 'GET',
    credentials: 'same-origin',
    headers,
    signal: options.signal,
  };
  if (options.body instanceof Blob) {
    // a file sent as it is (an .xlsx list): its own content type
    headers['Content-Type'] = options.body.type || 'application/octet-stream';
    init.body = options.body;
  } else if (options.body !== undefined) {
    headers['Content-Type'] = 'application/json';
    init.body = JSON.stringify(options.body);
  }

  let res: Response;
  try {
    res = await fetch(path + queryString(options.query), init);
  } catch (e) {
    if (e instanceof DOMException && e.name === 'AbortError') throw e;
    throw new ApiError(0, 'NETWORK', e instanceof Error ? e.message : 'Network error');
  }
  if (!res.ok) throw await toApiError(res);
  if (res.status === 204) return undefined as T;
  const text = await res.text();
  return (text ? JSON.parse(text) : undefined) as T;
}

export const api = {
  get: <T>(path: string, query?: Record<string, QueryValue>, signal?: AbortSignal) =>
    request<T>(path, { query, signal }),
  post: <T>(path: string, body?: unknown) => request<T>(path, { method: 'POST', body }),
  /** POST a file as the body (its type as the content type); errors as for every call (ApiError with details). */
  upload: <T>(path: string, file: Blob, query?: Record<string, QueryValue>) => request<T>(path, { method: 'POST', body: file, query }),
  patch: <T>(path: string, body?: unknown) => request<T>(path, { method: 'PATCH', body }),
  put: <T>(path: string, body?: unknown) => request<T>(path, { method: 'PUT', body }),
  delete: <T>(path: string) => request<T>(path, { method: 'DELETE' }),
};
