import { keepPreviousData, useQuery } from '@tanstack/react-query';
import { api } from '../../lib/api';
import type { AuditItem } from '../../../../server/src/platform/auth/schema';
import type { Page } from '../../lib/types';

export type { AuditItem } from '../../../../server/src/platform/auth/schema';

export const AUDIT_PAGE_SIZE = 50;

export interface AuditFilters {
  actor: string;
  action: string;
  subjectType: string;
  subjectId: string;
  /** YYYY-MM-DD (local day), inclusive */
  from: string;
  /** YYYY-MM-DD (local day), inclusive */
  to: string;
}

export const EMPTY_FILTERS: AuditFilters = { actor: '', action: '', subjectType: '', subjectId: '', from: '', to: '' };

/** Start of a local calendar day as an ISO instant; `plusDays` 1 gives the exclusive end of that day. */
export function dayToIso(day: string, plusDays = 0): string | undefined {
  const m = /^(\d{4})-(\d{2})-(\d{2})$/.exec(day);
  if (!m) return undefined;
  const d = new Date(Number(m[1]), Number(m[2]) - 1, Number(m[3]) + plusDays);
  return Number.isNaN(d.getTime()) ? undefined : d.toISOString();
}

export function useAudit(filters: AuditFilters, page: number) {
  return useQuery({
    queryKey: ['audit', filters, page],
    queryFn: ({ signal }) =>
      api.get<Page<AuditItem>>(
        '/api/audit',
        {
          actor: filters.actor,
          action: filters.action,
          subjectType: filters.subjectType,
          subjectId: filters.subjectId,
          from: dayToIso(filters.from),
          // The day picked as "to" is included: send the start of the next day.
          to: dayToIso(filters.to, 1),
          limit: AUDIT_PAGE_SIZE,
          offset: (page - 1) * AUDIT_PAGE_SIZE,
        },
        signal,
      ),
    placeholderData: keepPreviousData,
  });
}
