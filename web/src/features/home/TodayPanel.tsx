// Today's figures for the user's area, one tile per figure the modules provide, and the chart of the last 14 days.
import { Anchor, Card, Group, SimpleGrid, Skeleton, Stack, Text, Title } from '@mantine/core';
import { lazy, Suspense, useMemo } from 'react';
import { Link } from 'react-router';
import { ErrorAlert } from '../../lib/errors';
import { useFormat } from '../../lib/format';
import { useHomeSummary, type SummaryTile } from './api';
import { useHomeT, useLang } from './i18n';
import type { TrendSeries } from './TrendChart';

const TrendChart = lazy(() => import('./TrendChart'));

const PALETTE = ['#1c7ed6', '#2f9e44', '#f08c00', '#e03131', '#7048e8', '#0c8599', '#c2255c'];
const CHART_HEIGHT = 260;

function Tile({ tile }: { tile: SummaryTile }) {
  const th = useHomeT();
  const lang = useLang();
  const fmt = useFormat();
  const yesterday = tile.byDay && tile.byDay.length > 1 ? tile.byDay[tile.byDay.length - 2] : null;
  const body = (
    <Stack gap={2}>
      <Text size="sm" fw={600} c="dimmed" lh={1.25}>
        {tile.label[lang]}
      </Text>
      <Text fz={32} fw={700} lh={1.1} c={tile.tone === 'attention' ? 'red.7' : undefined} data-testid="tile-value">
        {fmt.number(tile.today)}
      </Text>
      <Text size="xs" c="dimmed">
        {yesterday === null ? th('now') : th('yesterday', { n: fmt.number(yesterday) })}
      </Text>
    </Stack>
  );
  return (
    <Card withBorder radius="md" p="sm" data-testid={`tile-${tile.key}`} title={tile.hint?.[lang]}>
      {tile.link ? (
        <Anchor component={Link} to={tile.link} underline="never" c="inherit">
          {body}
        </Anchor>
      ) : (
        body
      )}
    </Card>
  );
}

export function TodayPanel() {
  const th = useHomeT();
  const lang = useLang();
  const q = useHomeSummary(null);
  const series = useMemo<TrendSeries[]>(
    () =>
      (q.data?.tiles ?? [])
        .filter((t) => t.byDay !== null)
        .map((t, i) => ({ key: t.key, name: t.label[lang], values: t.byDay ?? [], color: PALETTE[i % PALETTE.length]! })),
    [q.data, lang],
  );

  if (q.isError) return <ErrorAlert error={q.error} onRetry={() => void q.refetch()} />;
  if (q.isPending)
    return (
      <SimpleGrid cols={{ base: 2, sm: 4 }}>
        {[0, 1, 2, 3].map((i) => (
          <Skeleton key={i} h={104} radius="md" />
        ))}
      </SimpleGrid>
    );
  const d = q.data;
  if (!d.tiles.length) return null;
  return (
    <Stack gap="sm" data-testid="today-panel">
      <Group justify="space-between" align="baseline" gap="xs">
        <Title order={2} size="h4">
          {th('title', { unit: d.unit.name })}
        </Title>
        <Text size="xs" c="dimmed">
          {d.today.split('-').reverse().join('/')}
        </Text>
      </Group>
      <SimpleGrid cols={{ base: 2, sm: Math.min(4, d.tiles.length) }} spacing="sm">
        {d.tiles.map((t) => (
          <Tile key={t.key} tile={t} />
        ))}
      </SimpleGrid>
      {series.length > 0 && (
        <Card withBorder radius="md" p="sm">
          <Text size="sm" fw={600} mb={4}>
            {th('chartTitle')}
          </Text>
          <Suspense fallback={<Skeleton h={CHART_HEIGHT} />}>
            <TrendChart days={d.days} series={series} height={CHART_HEIGHT} label={th('chartLabel', { series: series.map((s) => s.name).join(', ') })} />
          </Suspense>
        </Card>
      )}
    </Stack>
  );
}
