// The home page's chart of the last 14 days: one line per daily tile (ECharts, SVG renderer, only the parts used).
import { LineChart } from 'echarts/charts';
import { GridComponent, TooltipComponent } from 'echarts/components';
import { init, use, type ComposeOption } from 'echarts/core';
import type { LineSeriesOption } from 'echarts/charts';
import type { GridComponentOption, TooltipComponentOption } from 'echarts/components';
import { SVGRenderer } from 'echarts/renderers';
import { Group, Text } from '@mantine/core';
import { useEffect, useRef } from 'react';

use([LineChart, GridComponent, TooltipComponent, SVGRenderer]);

type Option = ComposeOption<LineSeriesOption | GridComponentOption | TooltipComponentOption>;

export interface TrendSeries {
  key: string;
  name: string;
  values: number[];
  color: string;
}

/**
 * Series whose scale dwarfs the others (check-ins next to a handful of flagged declarations) get the left axis alone;
 * the rest share the right one, so small numbers stay readable.
 */
export function splitAxes(series: TrendSeries[]): Map<string, 0 | 1> {
  const max = new Map(series.map((s) => [s.key, Math.max(0, ...s.values)]));
  const sorted = [...series].sort((a, b) => max.get(b.key)! - max.get(a.key)!);
  const top = sorted[0];
  const second = sorted[1];
  const apart = !!top && !!second && max.get(top.key)! >= 5 * Math.max(1, max.get(second.key)!);
  return new Map(series.map((s) => [s.key, apart && s.key !== top!.key ? 1 : 0]));
}

export default function TrendChart({ days, series, height, label }: { days: string[]; series: TrendSeries[]; height: number; label: string }) {
  const el = useRef<HTMLDivElement>(null);

  useEffect(() => {
    const node = el.current;
    if (!node) return;
    const chart = init(node, undefined, { renderer: 'svg' });
    const axisOf = splitAxes(series);
    const twoAxes = [...axisOf.values()].includes(1);
    const option: Option = {
      animation: false,
      grid: { left: 8, right: 8, top: 12, bottom: 8, containLabel: true },
      tooltip: { trigger: 'axis' },
      xAxis: { type: 'category', data: days.map((d) => `${d.slice(8, 10)}/${d.slice(5, 7)}`), boundaryGap: false, axisLabel: { fontSize: 11, hideOverlap: true } },
      yAxis: [
        { type: 'value', minInterval: 1, axisLabel: { fontSize: 11 } },
        ...(twoAxes ? [{ type: 'value' as const, minInterval: 1, axisLabel: { fontSize: 11 }, splitLine: { show: false } }] : []),
      ],
      series: series.map((s) => ({
        type: 'line',
        name: s.name,
        data: s.values,
        yAxisIndex: axisOf.get(s.key) ?? 0,
        color: s.color,
        symbolSize: 5,
        smooth: false,
      })),
    };
    chart.setOption(option);
    const resize = new ResizeObserver(() => chart.resize());
    resize.observe(node);
    return () => {
      resize.disconnect();
      chart.dispose();
    };
  }, [days, series]);

  // the legend is HTML: it wraps on a phone instead of scrolling, and reads like the tiles
  return (
    <div data-testid="trend-chart">
      <Group gap="md" mb={4} style={{ rowGap: 2 }} data-testid="trend-legend">
        {series.map((s) => (
          <Group key={s.key} gap={6} wrap="nowrap">
            <span aria-hidden style={{ width: 12, height: 3, background: s.color, display: 'inline-block', borderRadius: 2 }} />
            <Text size="xs">{s.name}</Text>
          </Group>
        ))}
      </Group>
      <div ref={el} role="img" aria-label={label} style={{ width: '100%', height }} />
    </div>
  );
}
