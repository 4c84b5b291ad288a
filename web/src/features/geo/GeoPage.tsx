import {
  Alert,
  Anchor,
  Breadcrumbs,
  Card,
  Grid,
  Group,
  SegmentedControl,
  Skeleton,
  Stack,
  Table,
  Text,
  TextInput,
  Title,
} from '@mantine/core';
import { useDebouncedValue } from '@mantine/hooks';
import { useCallback, useMemo, useState } from 'react';
import { useTranslation } from 'react-i18next';
import { Link, useNavigate, useParams } from 'react-router';
import { useAuth } from '../../app/auth';
import { isApiError } from '../../lib/api';
import { DataTable, Pager } from '../../lib/DataTable';
import { ErrorAlert } from '../../lib/errors';
import { useFormat } from '../../lib/format';
import { levelLabel, useUnitName } from '../../lib/labels';
import { useWide } from '../../lib/media';
import { outlineCandidates, visibleAncestors } from './breadcrumbs';
import { UNITS_PAGE_SIZE, useGeoJson, useGeoOutline, useGeoUnit, useGeoUnits, type GeoFeatureProperties, type Unit } from './api';
import { GeoMap, type ColorMode, type GeoMapLabels } from './GeoMap';

const unitPath = (code: string) => `/geo/${encodeURIComponent(code)}`;

export default function GeoPage() {
  // /geo → the units visible at the top; /geo/:code → that unit and its children.
  const splat = useParams()['*'] ?? '';
  const code = splat.split('/')[0] || undefined;
  return <UnitBrowser key={code ?? ''} code={code} />;
}

function UnitBrowser({ code }: { code: string | undefined }) {
  const { t } = useTranslation();
  const fmt = useFormat();
  const name = useUnitName();
  const navigate = useNavigate();
  const { user } = useAuth();
  const wide = useWide(); // table and map side by side
  const [search, setSearch] = useState('');
  const [q] = useDebouncedValue(search.trim(), 300);
  const [page, setPage] = useState(1);
  const [colorMode, setColorMode] = useState<ColorMode>('population');

  const detail = useGeoUnit(code);
  const children = useGeoUnits(code, q, page);
  const geojson = useGeoJson(code);
  // Children without boundaries (e.g. generated districts): show the unit's own outline instead, or failing that
  // the nearest ancestor's, so that every level still has a map.
  const childrenWithoutMap = geojson.data !== undefined && geojson.data.features.length === 0;
  const candidates = useMemo(
    () => (code && detail.data ? outlineCandidates(detail.data.ancestors, code, user.jurisdiction.code) : undefined),
    [code, detail.data, user.jurisdiction.code],
  );
  const outline = useGeoOutline(candidates, childrenWithoutMap);
  const showOutline = childrenWithoutMap && !!outline.data;
  const mapData = childrenWithoutMap ? outline.data?.data : geojson.data;
  const mapError = geojson.error ?? (childrenWithoutMap ? outline.error : null);

  const items = children.data?.items;
  // Every unit has a page (its summary, later its indicators), leaves included.
  const select = useCallback((c: string) => void navigate(unitPath(c)), [navigate]);

  const labels = useMemo<GeoMapLabels>(
    () => ({
      mapLabel: t('geo.mapLabel'),
      noGeometry: t('geo.noGeometry'),
      legendLow: t('geo.legendLow'),
      legendHigh: t('geo.legendHigh'),
      featureName: name,
      tooltip: (p: GeoFeatureProperties) => [
        name(p),
        levelLabel(t, p.level),
        t('geo.tooltipPopulation', { value: fmt.number(p.population) }),
      ],
    }),
    [t, fmt, name],
  );

  if (detail.isError && isApiError(detail.error) && detail.error.status === 404) {
    return (
      <Stack>
        <ErrorAlert error={new Error(t('geo.notFound'))} />
        <Anchor component={Link} to="/geo">
          {t('geo.root')}
        </Anchor>
      </Stack>
    );
  }

  const unit = detail.data?.unit;
  // No boundaries at all here (neither children nor the unit or an ancestor): give the table the room.
  const noMap = childrenWithoutMap && (code === undefined || outline.data === null);
  let outlineNote: string | null = null;
  if (showOutline && outline.data && unit) {
    const shown = outline.data.data.features[0]?.properties;
    if (outline.data.code !== unit.code && shown) {
      outlineNote = t('geo.outlineAncestor', { unit: name(unit), name: name(shown) });
    } else if (unit.childCount > 0) {
      outlineNote = t('geo.outlineSelf', { name: name(unit) });
    }
  }
  const total = children.data?.total ?? 0;

  return (
    <Stack gap="md">
      <Breadcrumbs separator="›" separatorMargin={6} style={{ flexWrap: 'wrap' }} aria-label={t('geo.breadcrumb')}>
        <Anchor component={Link} to="/geo" size="sm">
          {t('geo.root')}
        </Anchor>
        {detail.data &&
          visibleAncestors(detail.data.ancestors, detail.data.unit.code, user.jurisdiction.code).map((a) => (
            <Anchor key={a.code} component={Link} to={unitPath(a.code)} size="sm">
              {name(a)}
            </Anchor>
          ))}
        {unit && (
          <Text size="sm" c="dimmed" aria-current="page">
            {name(unit)}
          </Text>
        )}
      </Breadcrumbs>

      <div>
        {code && !unit ? (
          <Skeleton h={32} w={240} />
        ) : (
          <Title order={1} size="h2" data-testid="geo-title">
            {unit ? name(unit) : t('geo.title')}
          </Title>
        )}
        {unit && (
          <Text c="dimmed" size="sm">
            {levelLabel(t, unit.level)} · {t('geo.code')} {unit.code} ·{' '}
            {t('geo.summary', { population: fmt.number(unit.population), children: fmt.number(unit.childCount) })}
          </Text>
        )}
      </div>

      {detail.isError && <ErrorAlert error={detail.error} onRetry={() => void detail.refetch()} />}

      <Grid gutter="md">
        <Grid.Col span={{ base: 12, md: noMap ? 12 : 7 }} order={{ base: 2, md: 1 }}>
          <Card withBorder radius="md" p="sm">
            <Stack gap="sm">
              <TextInput
                placeholder={t('geo.searchPlaceholder')}
                aria-label={t('geo.searchPlaceholder')}
                type="search"
                value={search}
                onChange={(e) => {
                  setSearch(e.currentTarget.value);
                  setPage(1);
                }}
              />
              {children.isError ? (
                <ErrorAlert error={children.error} onRetry={() => void children.refetch()} />
              ) : (
                <UnitsTable items={items} loading={children.isPending} onOpen={select} />
              )}
              <Pager page={page} pageSize={UNITS_PAGE_SIZE} total={total} onChange={setPage} gap="xs" />
            </Stack>
          </Card>
        </Grid.Col>
        {/* Phones: the map first, as the overview; the long table follows. */}
        {!noMap && (
          <Grid.Col span={{ base: 12, md: 5 }} order={{ base: 1, md: 2 }}>
            {/* On wide screens the map stays in view while the table scrolls. */}
            <Card withBorder radius="md" p="sm" style={wide ? { position: 'sticky', top: 72 } : undefined}>
              <Stack gap="xs">
                {/* In its place, what the outline is. */}
                {outlineNote && (
                  <Text size="xs" c="dimmed" data-testid="geo-outline-note">
                    {outlineNote}
                  </Text>
                )}
                {/* One outline has nothing to compare: no colouring choice. */}
                {!childrenWithoutMap && (
                  <Group justify="space-between" gap="xs">
                    <Text size="sm" fw={500}>
                      {t('geo.colorBy')}
                    </Text>
                    <SegmentedControl
                      size="xs"
                      value={colorMode}
                      onChange={(v) => setColorMode(v === 'plain' ? 'plain' : 'population')}
                      data={[
                        { value: 'population', label: t('geo.colorPopulation') },
                        { value: 'plain', label: t('geo.colorPlain') },
                      ]}
                    />
                  </Group>
                )}
                {mapError ? (
                  <ErrorAlert
                    error={mapError}
                    onRetry={() => void (geojson.isError ? geojson.refetch() : outline.refetch())}
                  />
                ) : (
                  <>
                  {mapData?.features.some((f) => f.properties?.generated) && (
                    <Alert color="yellow" variant="light" py={6} data-testid="generated-boundaries">
                      <Text size="xs">{t('geo.generatedBoundaries')}</Text>
                    </Alert>
                  )}
                  <GeoMap
                    data={mapData}
                    mode={showOutline ? 'outline' : 'children'}
                    colorMode={colorMode}
                    labels={labels}
                    onSelect={select}
                    height={wide ? 'calc(100dvh - 190px)' : 'clamp(260px, 50dvh, 420px)'}
                  />
                  </>
                )}
              </Stack>
            </Card>
          </Grid.Col>
        )}
      </Grid>
    </Stack>
  );
}

function UnitsTable({
  items,
  loading,
  onOpen,
}: {
  items: Unit[] | undefined;
  loading: boolean;
  onOpen(code: string): void;
}) {
  const { t } = useTranslation();
  const fmt = useFormat();
  const name = useUnitName();
  return (
    <DataTable
      minWidth={320}
      testId="geo-units"
      striped={false}
      columns={[
        { label: t('geo.code'), w: 80 },
        t('geo.name'),
        { label: t('geo.level'), visibleFrom: 'sm' },
        { label: t('geo.population'), ta: 'right' },
        { label: t('geo.children'), ta: 'right', visibleFrom: 'xs' },
      ]}
      emptyText={t('geo.noUnits')}
      isEmpty={!loading && items?.length === 0}
    >
      {/* Placeholder rows while loading (the line for no units waits until loaded). */}
      {loading &&
        [0, 1, 2, 3, 4].map((i) => (
          <Table.Tr key={i}>
            <Table.Td colSpan={5}>
              <Skeleton h={18} />
            </Table.Td>
          </Table.Tr>
        ))}
      {items?.map((u) => (
        <Table.Tr key={u.code} onClick={() => onOpen(u.code)} style={{ cursor: 'pointer' }} data-code={u.code}>
          <Table.Td ff="monospace" fz="sm">
            {u.code}
          </Table.Td>
          <Table.Td>
            {/* A real link too: keyboard, middle-click, screen readers. */}
            <Anchor component={Link} to={unitPath(u.code)} onClick={(e) => e.stopPropagation()}>
              {name(u)}
            </Anchor>
          </Table.Td>
          <Table.Td visibleFrom="sm">{levelLabel(t, u.level)}</Table.Td>
          <Table.Td ta="right">{fmt.number(u.population)}</Table.Td>
          <Table.Td ta="right" visibleFrom="xs">
            {fmt.number(u.childCount)}
          </Table.Td>
        </Table.Tr>
      ))}
    </DataTable>
  );
}
