import { keepPreviousData, useQuery } from '@tanstack/react-query';
import { api, isApiError } from '../../lib/api';
import type { FeatureCollection, Geometry } from 'geojson';
import type { Unit, UnitDetail } from '../../../../server/src/modules/geo/schema';
import type { Page } from '../../lib/types';

export type { Unit, UnitDetail } from '../../../../server/src/modules/geo/schema';
/** One of a unit's ancestors (root first, excluding the unit itself). */
export type UnitAncestor = UnitDetail['ancestors'][number];

/** Properties of a GET /api/geo/geojson feature: the unit's own fields (the route has no response schema). */
export type GeoFeatureProperties = Pick<Unit, 'code' | 'name' | 'nameEn' | 'level' | 'population' | 'childCount'> & {
  /** the boundary was generated (illustrative), not imported */
  generated?: boolean;
};
export type GeoFeatureCollection = FeatureCollection<Geometry, GeoFeatureProperties>;

// Large enough that all 63 provinces (and any district's communes) fit on one page.
export const UNITS_PAGE_SIZE = 100;

export function useGeoUnits(parent: string | undefined, q: string, page: number) {
  return useQuery({
    queryKey: ['geo', 'units', parent ?? null, q, page],
    queryFn: ({ signal }) =>
      api.get<Page<Unit>>(
        '/api/geo/units',
        { parent, q, limit: UNITS_PAGE_SIZE, offset: (page - 1) * UNITS_PAGE_SIZE },
        signal,
      ),
    placeholderData: keepPreviousData,
  });
}

export function useGeoUnit(code: string | undefined) {
  return useQuery({
    queryKey: ['geo', 'unit', code],
    queryFn: ({ signal }) => api.get<UnitDetail>(`/api/geo/units/${encodeURIComponent(code ?? '')}`, undefined, signal),
    enabled: code !== undefined,
  });
}

export function useGeoJson(parent: string | undefined) {
  return useQuery({
    queryKey: ['geo', 'geojson', parent ?? null],
    queryFn: ({ signal }) => api.get<GeoFeatureCollection>('/api/geo/geojson', { parent }, signal),
    staleTime: 10 * 60_000, // boundaries barely change
  });
}

export interface GeoOutline {
  /** The unit whose outline this is: the first candidate that has one. */
  code: string;
  data: GeoFeatureCollection;
}

/**
 * The own outline of the first of `candidates` (a unit, then its ancestors nearest first) that has one, or null
 * when none has (or the rest are outside the user's jurisdiction). For units whose children have no boundaries.
 */
export function useGeoOutline(candidates: string[] | undefined, enabled: boolean) {
  return useQuery({
    queryKey: ['geo', 'outline', candidates ?? []],
    queryFn: async ({ signal }): Promise<GeoOutline | null> => {
      for (const code of candidates ?? []) {
        let data: GeoFeatureCollection;
        try {
          data = await api.get<GeoFeatureCollection>('/api/geo/geojson', { code }, signal);
        } catch (e) {
          // Units above the user's jurisdiction answer 403; those further up would too.
          if (isApiError(e) && (e.status === 403 || e.status === 404)) return null;
          throw e;
        }
        if (data.features.length > 0) return { code, data };
      }
      return null;
    },
    enabled: enabled && candidates !== undefined && candidates.length > 0,
    staleTime: 10 * 60_000,
  });
}
