import 'leaflet/dist/leaflet.css';
import { Box, Center, Group, Text } from '@mantine/core';
import L from 'leaflet';
import { useEffect, useMemo, useRef } from 'react';
import { MapContainer, useMap } from 'react-leaflet';
import type { GeoFeatureCollection, GeoFeatureProperties } from './api';

export type ColorMode = 'plain' | 'population';
/** children: the units below the current one, coloured and clickable; outline: one unit's own boundary. */
export type MapMode = 'children' | 'outline';

/** Sequential ramp, light → dark, for population classes. */
const RAMP = ['#ffe8cc', '#ffc078', '#ff922b', '#f76707', '#c2410c'] as const;
const NO_DATA = '#dee2e6';
const PLAIN_FILL = '#74c0fc';
const STROKE = '#1864ab';

/** Quantile class breaks (upper bounds of the first n-1 classes). */
export function quantileBreaks(values: number[], classes: number): number[] {
  const sorted = [...values].sort((a, b) => a - b);
  if (sorted.length === 0) return [];
  const out: number[] = [];
  for (let i = 1; i < classes; i++) {
    const v = sorted[Math.min(sorted.length - 1, Math.floor((i * sorted.length) / classes))];
    if (v !== undefined) out.push(v);
  }
  return out;
}

function classOf(value: number, breaks: number[]): number {
  let i = 0;
  while (i < breaks.length && value >= (breaks[i] ?? Infinity)) i++;
  return Math.min(i, RAMP.length - 1);
}

export interface GeoMapLabels {
  mapLabel: string;
  noGeometry: string;
  legendLow: string;
  legendHigh: string;
  /** The feature's name in the UI language (SVG aria-label). */
  featureName(p: GeoFeatureProperties): string;
  tooltip(p: GeoFeatureProperties): string[];
}

interface Props {
  data: GeoFeatureCollection | undefined;
  mode?: MapMode;
  colorMode: ColorMode;
  labels: GeoMapLabels;
  onSelect(code: string): void;
  height: number | string;
}

function FeatureLayer({ data, mode = 'children', colorMode, labels, onSelect }: Omit<Props, 'height'>) {
  const map = useMap();
  const onSelectRef = useRef(onSelect);
  onSelectRef.current = onSelect;

  const breaks = useMemo(() => {
    const pops = data?.features
      .map((f) => f.properties.population)
      .filter((p): p is number => typeof p === 'number');
    return quantileBreaks(pops ?? [], RAMP.length);
  }, [data]);

  useEffect(() => {
    if (!data || data.features.length === 0) return;
    const outline = mode === 'outline';
    const styleFor = (p: GeoFeatureProperties | undefined): L.PathOptions => {
      // A single boundary: drawn as a frame, not as a class of a choropleth.
      if (outline) return { color: STROKE, weight: 2, opacity: 0.9, fillColor: PLAIN_FILL, fillOpacity: 0.15 };
      let fillColor = PLAIN_FILL;
      let fillOpacity = 0.35;
      if (colorMode === 'population') {
        fillOpacity = 0.8;
        fillColor = typeof p?.population === 'number' ? (RAMP[classOf(p.population, breaks)] ?? NO_DATA) : NO_DATA;
      }
      return { color: STROKE, weight: 1, opacity: 0.9, fillColor, fillOpacity };
    };

    const layer = L.geoJSON(data, {
      style: (f) => styleFor(f?.properties as GeoFeatureProperties | undefined),
      onEachFeature: (feature, featureLayer) => {
        const props = feature.properties as GeoFeatureProperties;
        // Build the tooltip from text nodes: names come from data, never trusted as HTML.
        const el = document.createElement('div');
        labels.tooltip(props).forEach((line, i) => {
          const div = document.createElement('div');
          div.textContent = line;
          if (i === 0) div.style.fontWeight = '600';
          el.appendChild(div);
        });
        featureLayer.bindTooltip(el, { sticky: true });
        featureLayer.on({
          // An outline is the page's own unit (or an ancestor standing in for it): nothing to drill into.
          click: () => {
            if (!outline) onSelectRef.current(props.code);
          },
          mouseover: (e: L.LeafletMouseEvent) => {
            const path = e.target as L.Path;
            path.setStyle({ weight: 3 });
            path.bringToFront();
          },
          mouseout: (e: L.LeafletMouseEvent) => layer.resetStyle(e.target as L.Path),
        });
      },
    }).addTo(map);
    // Name the SVG paths: screen readers get the unit name, tests and styles get the code.
    layer.eachLayer((l) => {
      const el = l instanceof L.Path ? l.getElement() : undefined;
      const props = (l as L.Layer & { feature?: { properties?: GeoFeatureProperties } }).feature?.properties;
      if (el && props) {
        el.setAttribute('data-code', props.code);
        el.setAttribute('aria-label', labels.featureName(props));
        if (outline && el instanceof SVGElement) el.style.cursor = 'default';
      }
    });

    const bounds = layer.getBounds();
    // No animation: the map is often unmounted right after (drill-down), and Leaflet's zoom animation then
    // touches removed panes ("_leaflet_pos of undefined").
    if (bounds.isValid()) map.fitBounds(bounds, { padding: [12, 12], animate: false });
    return () => {
      layer.remove();
    };
  }, [map, data, mode, colorMode, breaks, labels]);

  // Leaflet measures its container once; re-measure when the layout changes (navbar, rotation).
  useEffect(() => {
    const container = map.getContainer();
    const ro = new ResizeObserver(() => {
      if (container.isConnected) map.invalidateSize({ animate: false, pan: false });
    });
    ro.observe(container);
    return () => ro.disconnect();
  }, [map]);

  return null;
}

export function GeoMap({ data, mode = 'children', colorMode, labels, onSelect, height }: Props) {
  const empty = data !== undefined && data.features.length === 0;
  return (
    <Box pos="relative" data-map-mode={mode}>
      <MapContainer
        center={[16, 106]}
        zoom={5}
        zoomSnap={0.25}
        attributionControl={false}
        // On touch phones a one-finger drag must scroll the page, not trap it in the map; pinch still zooms.
        dragging={!L.Browser.mobile}
        style={{ height, width: '100%', background: '#f8f9fa', borderRadius: 8 }}
        aria-label={labels.mapLabel}
      >
        <FeatureLayer data={data} mode={mode} colorMode={colorMode} labels={labels} onSelect={onSelect} />
      </MapContainer>
      {empty && (
        <Center pos="absolute" inset={0} style={{ pointerEvents: 'none', zIndex: 500 }}>
          <Text c="dimmed" size="sm">
            {labels.noGeometry}
          </Text>
        </Center>
      )}
      {mode === 'children' && colorMode === 'population' && !empty && (
        <Group gap={4} mt={6} wrap="nowrap" aria-hidden>
          <Text size="xs" c="dimmed">
            {labels.legendLow}
          </Text>
          {RAMP.map((c) => (
            <Box key={c} w={24} h={10} bg={c} style={{ border: `1px solid ${STROKE}33` }} />
          ))}
          <Text size="xs" c="dimmed">
            {labels.legendHigh}
          </Text>
        </Group>
      )}
    </Box>
  );
}
