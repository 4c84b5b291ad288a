import { useQuery } from '@tanstack/react-query';
import { api } from '../../lib/api';
import type { SummaryResponse, SummaryTile } from '../../../../server/src/platform/home/schema';

export type { SummaryResponse, SummaryTile };

/** Today's figures for the user's area (or a unit inside it), refreshed every minute while the page is open. */
export function useHomeSummary(unit: string | null) {
  return useQuery({
    queryKey: ['home', 'summary', unit],
    queryFn: ({ signal }) => api.get<SummaryResponse>('/api/home/summary', { unit }, signal),
    refetchInterval: 60_000,
  });
}
