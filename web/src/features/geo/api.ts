import { keepPreviousData, useQuery } from '@tanstack/react-query';
import { api } from '../../lib/api';
import type { GeoFeatureCollection, GeoUnit, GeoUnitDetail, Page } from '../../lib/types';

// Large enough that all 63 provinces (and any district's communes) fit on one page.
export const UNITS_PAGE_SIZE = 100;

export function useGeoUnits(parent: string | undefined, q: string, page: number) {
  return useQuery({
    queryKey: ['geo', 'units', parent ?? null, q, page],
    queryFn: ({ signal }) =>
      api.get<Page<GeoUnit>>(
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
    queryFn: ({ signal }) => api.get<GeoUnitDetail>(`/api/geo/units/${encodeURIComponent(code ?? '')}`, undefined, signal),
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
