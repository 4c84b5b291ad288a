// Testing figures of the caller's area (/testing/dashboard): tubes per day by result with the 7-day positivity, tubes
// per area, turnaround from collection to result (p50/p90), open retests and resampling, pool sizes; the same figures
// as an Excel workbook. Charts: ECharts with the SVG renderer (labels are text, as on the home and case pages).
import { Anchor, Button, Card, Group, SimpleGrid, Stack, Table, Text, TextInput, Title } from '@mantine/core';
import { BarChart, LineChart, type BarSeriesOption, type LineSeriesOption } from 'echarts/charts';
import { GridComponent, LegendComponent, TooltipComponent, type GridComponentOption, type LegendComponentOption, type TooltipComponentOption } from 'echarts/components';
import { init, use, type ComposeOption } from 'echarts/core';
import { SVGRenderer } from 'echarts/renderers';
import { useEffect, useMemo, useRef, useState } from 'react';
import { ErrorAlert } from '../../lib/errors';
import { useFormat } from '../../lib/format';
import { dashboardExportUrl, useTestingDashboard, type Dashboard } from './api';
import { useTestingT } from './i18n';

use([BarChart, LineChart, GridComponent, LegendComponent, TooltipComponent, SVGRenderer]);
type Option = ComposeOption<BarSeriesOption | LineSeriesOption | GridComponentOption | TooltipComponentOption | LegendComponentOption>;

function Chart({ option, height, testId }: { option: Option; height: number; testId: string }) {
  const el = useRef<HTMLDivElement>(null);
  useEffect(() => {
    if (!el.current) return;
    const chart = init(el.current, undefined, { renderer: 'svg' });
    chart.setOption(option);
    const resize = () => chart.resize();
    window.addEventListener('resize', resize);
    return () => {
      window.removeEventListener('resize', resize);
      chart.dispose();
    };
  }, [option]);
  return <div ref={el} style={{ width: '100%', height }} data-testid={testId} />;
}

interface Sums {
  tubes: number;
  people: number;
  positive: number;
  negative: number;
  invalid: number;
  waiting: number;
}
const zero = (): Sums => ({ tubes: 0, people: 0, positive: 0, negative: 0, invalid: 0, waiting: 0 });
function add(a: Sums, b: Sums) {
  for (const k of Object.keys(a) as (keyof Sums)[]) a[k] += b[k];
}

/** Every day of [from, to] (local days, as the server counts them). */
function daysOf(from: string, to: string): string[] {
  const out: string[] = [];
  const d = new Date(`${from}T00:00:00Z`);
  const end = new Date(`${to}T00:00:00Z`);
  while (d <= end && out.length < 400) {
    out.push(d.toISOString().slice(0, 10));
    d.setUTCDate(d.getUTCDate() + 1);
  }
  return out;
}

function useFigures(d: Dashboard | undefined) {
  return useMemo(() => {
    if (!d) return null;
    const days = daysOf(d.from, d.to);
    const byDay = new Map(days.map((x) => [x, zero()]));
    const byArea = new Map<string, { code: string; name: string; sums: Sums }>();
    const total = zero();
    for (const r of d.perDay) {
      const day = byDay.get(r.day) ?? zero();
      byDay.set(r.day, day);
      add(day, r);
      const area = byArea.get(r.unitCode) ?? { code: r.unitCode, name: r.unitName, sums: zero() };
      byArea.set(r.unitCode, area);
      add(area.sums, r);
      add(total, r);
    }
    return { days, byDay, byArea: [...byArea.values()].sort((a, b) => b.sums.tubes - a.sums.tubes), total };
  }, [d]);
}

const COLORS = { positive: '#e03131', negative: '#12b886', invalid: '#868e96', waiting: '#fab005', positivity: '#1c7ed6' };

function Stat({ label, value, testId, color }: { label: string; value: string; testId: string; color?: string }) {
  return (
    <Card withBorder p="sm">
      <Text size="xs" c="dimmed">
        {label}
      </Text>
      <Text size="xl" fw={700} c={color} data-testid={testId}>
        {value}
      </Text>
    </Card>
  );
}

export default function DashboardPage() {
  const t = useTestingT();
  const fmt = useFormat();
  const [from, setFrom] = useState<string | null>(null);
  const [to, setTo] = useState<string | null>(null);
  const [unit, setUnit] = useState<string | null>(null);
  const q = useTestingDashboard({ from, to, unit });
  const d = q.data;
  const f = useFigures(d);

  const perDay = useMemo<Option | null>(() => {
    if (!d || !f) return null;
    const rate = new Map(d.positivity.map((p) => [p.day, p.rate]));
    const bar = (key: 'positive' | 'negative' | 'invalid' | 'waiting', name: string): BarSeriesOption => ({
      type: 'bar',
      name,
      stack: 'tubes',
      itemStyle: { color: COLORS[key] },
      data: f.days.map((x) => f.byDay.get(x)![key]),
    });
    return {
      grid: { left: 44, right: 44, top: 30, bottom: 50 },
      tooltip: { trigger: 'axis' },
      legend: { bottom: 0, type: 'scroll' },
      xAxis: { type: 'category', data: f.days.map((x) => fmt.shortDay(x)) },
      yAxis: [
        { type: 'value', name: t('dashboard.tubes'), minInterval: 1 },
        { type: 'value', name: '%', min: 0, axisLabel: { formatter: '{value}%' }, splitLine: { show: false } },
      ],
      series: [
        bar('negative', t('results.negative')),
        bar('positive', t('results.positive')),
        bar('invalid', t('results.invalid')),
        bar('waiting', t('results.waiting')),
        {
          type: 'line',
          name: t('dashboard.positivity'),
          yAxisIndex: 1,
          z: 10,
          symbolSize: 7,
          showAllSymbol: true,
          itemStyle: { color: COLORS.positivity },
          connectNulls: true,
          data: f.days.map((x) => {
            const r = rate.get(x);
            return r === null || r === undefined ? null : Math.round(r * 1000) / 10;
          }),
        },
      ],
    };
  }, [d, f, t, fmt]);

  const pools = useMemo<Option | null>(() => {
    if (!d) return null;
    return {
      grid: { left: 44, right: 16, top: 16, bottom: 30 },
      tooltip: { trigger: 'axis' },
      xAxis: { type: 'category', data: d.poolSizes.map((p) => String(p.size)) },
      yAxis: { type: 'value', minInterval: 1 },
      series: [{ type: 'bar', name: t('dashboard.tubes'), itemStyle: { color: '#4263eb' }, data: d.poolSizes.map((p) => p.tubes) }],
    };
  }, [d, t]);

  const hours = (h: number | null) => (h === null ? '—' : t('dashboard.hours', { n: fmt.number(Math.round(h * 10) / 10) }));
  const lastRate = d?.positivity.at(-1)?.rate;

  return (
    <Stack gap="md">
      <Group gap="sm" align="flex-end">
        <TextInput type="date" label={t('dashboard.from')} value={from ?? d?.from ?? ''} onChange={(e) => setFrom(e.currentTarget.value || null)} w={160} />
        <TextInput type="date" label={t('dashboard.to')} value={to ?? d?.to ?? ''} onChange={(e) => setTo(e.currentTarget.value || null)} w={160} />
        <TextInput label={t('dashboard.unit')} placeholder="40 / 412" value={unit ?? ''} onChange={(e) => setUnit(e.currentTarget.value.trim() || null)} w={140} />
        <Button component="a" variant="light" href={dashboardExportUrl({ from: from ?? d?.from ?? null, to: to ?? d?.to ?? null, unit })} download data-testid="dashboard-export">
          {t('dashboard.export')}
        </Button>
      </Group>
      {q.isError && <ErrorAlert error={q.error} onRetry={() => void q.refetch()} />}
      {d && f && (
        <>
          <Text fw={500} data-testid="dashboard-summary">
            {t('dashboard.summary', { tests: fmt.number(f.total.tubes), people: fmt.number(f.total.people), positive: fmt.number(f.total.positive) })}
          </Text>
          <SimpleGrid cols={{ base: 2, sm: 3, lg: 5 }}>
            <Stat label={t('dashboard.positivity')} value={lastRate === null || lastRate === undefined ? '—' : `${fmt.number(Math.round(lastRate * 1000) / 10)}%`} testId="stat-positivity" />
            <Stat label={`${t('dashboard.turnaround')} · ${t('dashboard.p50')}`} value={hours(d.turnaround.p50Hours)} testId="stat-p50" />
            <Stat label={`${t('dashboard.turnaround')} · ${t('dashboard.p90')}`} value={hours(d.turnaround.p90Hours)} testId="stat-p90" />
            <Stat label={t('dashboard.openRetests')} value={fmt.number(d.openRetests)} testId="stat-retests" color={d.openRetests ? 'orange.7' : undefined} />
            <Stat label={t('dashboard.openResamples')} value={fmt.number(d.openResamples)} testId="stat-resamples" />
          </SimpleGrid>
          <Card withBorder>
            <Title order={3} size="h4">
              {t('dashboard.byDay')}
            </Title>
            {perDay && <Chart option={perDay} height={300} testId="chart-per-day" />}
          </Card>
          <SimpleGrid cols={{ base: 1, lg: 2 }}>
            <Card withBorder>
              <Title order={3} size="h4" mb="xs">
                {t('dashboard.byArea')}
              </Title>
              <Table.ScrollContainer minWidth={420}>
                <Table verticalSpacing={4} striped data-testid="dashboard-areas">
                  <Table.Thead>
                    <Table.Tr>
                      <Table.Th>{t('dashboard.area')}</Table.Th>
                      <Table.Th ta="right">{t('dashboard.tubes')}</Table.Th>
                      <Table.Th ta="right">{t('dashboard.people')}</Table.Th>
                      <Table.Th ta="right">{t('dashboard.positive')}</Table.Th>
                      <Table.Th ta="right">{t('results.waiting')}</Table.Th>
                    </Table.Tr>
                  </Table.Thead>
                  <Table.Tbody>
                    {f.byArea.map((a) => (
                      <Table.Tr key={a.code}>
                        <Table.Td fz="sm">
                          <Anchor component="button" type="button" size="sm" ta="left" onClick={() => setUnit(a.code)}>
                            {a.name}
                          </Anchor>
                        </Table.Td>
                        <Table.Td ta="right">{fmt.number(a.sums.tubes)}</Table.Td>
                        <Table.Td ta="right">{fmt.number(a.sums.people)}</Table.Td>
                        <Table.Td ta="right" c={a.sums.positive ? 'red.7' : undefined}>
                          {fmt.number(a.sums.positive)}
                        </Table.Td>
                        <Table.Td ta="right">{fmt.number(a.sums.waiting)}</Table.Td>
                      </Table.Tr>
                    ))}
                    {f.byArea.length === 0 && (
                      <Table.Tr>
                        <Table.Td colSpan={5}>
                          <Text size="sm" c="dimmed" ta="center">
                            {t('samples.none')}
                          </Text>
                        </Table.Td>
                      </Table.Tr>
                    )}
                  </Table.Tbody>
                </Table>
              </Table.ScrollContainer>
            </Card>
            <Card withBorder>
              <Title order={3} size="h4">
                {t('dashboard.poolSizes')}
              </Title>
              {pools && <Chart option={pools} height={240} testId="chart-pools" />}
            </Card>
          </SimpleGrid>
        </>
      )}
    </Stack>
  );
}
