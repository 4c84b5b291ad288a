import type { Action, Severity, Status, WorklistFilters } from './api';
import type { DeclarationsKey } from './i18n';

type T = (key: DeclarationsKey) => string;

export const SEVERITY_COLOR: Record<string, string> = { high: 'red', medium: 'orange', low: 'yellow' } satisfies Record<Severity, string>;
export const STATUS_COLOR: Record<string, string> = { none: 'gray', open: 'red', called: 'blue', referred: 'grape', cleared: 'teal' } satisfies Record<Status, string>;

const STATUS_KEYS: Record<string, DeclarationsKey> = {
  none: 'statuses.none',
  open: 'statuses.open',
  called: 'statuses.called',
  referred: 'statuses.referred',
  cleared: 'statuses.cleared',
  active: 'statuses.active',
  all: 'statuses.all',
} satisfies Record<Status | WorklistFilters['status'], DeclarationsKey>;
const SEVERITY_KEYS: Record<string, DeclarationsKey> = { low: 'severities.low', medium: 'severities.medium', high: 'severities.high' } satisfies Record<Severity, DeclarationsKey>;
const ACTION_KEYS: Record<string, DeclarationsKey> = {
  called: 'actions.called',
  referred: 'actions.referred',
  cleared: 'actions.cleared',
  reopened: 'actions.reopened',
} satisfies Record<Action, DeclarationsKey>;
const CHANNEL_KEYS: Record<string, DeclarationsKey> = { citizen: 'channels.citizen', public: 'channels.public', officer: 'channels.officer' };

const pick = (m: Record<string, DeclarationsKey>, t: T, v: string | null | undefined) => (v ? (m[v] ? t(m[v]!) : v) : '—');
export const statusLabel = (t: T, v: string | null | undefined) => pick(STATUS_KEYS, t, v);
export const severityLabel = (t: T, v: string | null | undefined) => pick(SEVERITY_KEYS, t, v);
export const actionLabel = (t: T, v: string | null | undefined) => pick(ACTION_KEYS, t, v);
export const channelLabel = (t: T, v: string | null | undefined) => pick(CHANNEL_KEYS, t, v);
