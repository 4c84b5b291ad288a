// ECharts pieces: the transmission graph (force layout; cases, contacts by level, venues) and a person's
// temperature chart with the 38.0 °C line. SVG renderer, so labels are real text (readable by tests and screen readers).
import { GraphChart, LineChart } from 'echarts/charts';
import { GridComponent, LegendComponent, MarkLineComponent, TooltipComponent } from 'echarts/components';
import * as echarts from 'echarts/core';
import { SVGRenderer } from 'echarts/renderers';
import { useEffect, useMemo, useRef } from 'react';
import { useNavigate } from 'react-router';
import { useFormat } from '../../lib/format';
import type { FollowUpPoint, GraphResponse } from './api';
import { useCasesT } from './i18n';

echarts.use([GraphChart, LineChart, GridComponent, LegendComponent, MarkLineComponent, TooltipComponent, SVGRenderer]);

function useChart(option: echarts.EChartsCoreOption | null, onClick?: (data: unknown) => void) {
  const ref = useRef<HTMLDivElement>(null);
  const click = useRef(onClick);
  click.current = onClick;
  useEffect(() => {
    if (!ref.current || !option) return;
    const chart = echarts.init(ref.current, undefined, { renderer: 'svg' });
    chart.setOption(option);
    chart.on('click', (p) => click.current?.(p.data));
    const resize = () => chart.resize();
    window.addEventListener('resize', resize);
    return () => {
      window.removeEventListener('resize', resize);
      chart.dispose();
    };
  }, [option]);
  return ref;
}

const COLORS = { case: '#c92a2a', f1: '#e8590c', f2: '#f59f00', deeper: '#74b816', venue: '#1c7ed6' };

export function TransmissionGraph({ graph, height = 520 }: { graph: GraphResponse; height?: number }) {
  const tc = useCasesT();
  const navigate = useNavigate();
  const cats = [
    { name: tc('graph.case'), itemStyle: { color: COLORS.case } },
    { name: tc('graph.f1'), itemStyle: { color: COLORS.f1 } },
    { name: tc('graph.f2'), itemStyle: { color: COLORS.f2 } },
    { name: tc('graph.deeper'), itemStyle: { color: COLORS.deeper } },
    { name: tc('graph.venue'), itemStyle: { color: COLORS.venue } },
  ];
  const catOf = (n: GraphResponse['nodes'][number]) => (n.kind === 'case' ? 0 : n.kind === 'venue' ? 4 : n.level === 1 ? 1 : n.level === 2 ? 2 : 3);
  const option = useMemo(() => ({
    tooltip: { formatter: (p: { data: { name?: string; value?: string } }) => p.data.name ?? '' },
    legend: [{ data: cats.map((c) => c.name), bottom: 0 }],
    series: [
      {
        type: 'graph',
        layout: 'force',
        roam: true,
        draggable: true,
        categories: cats,
        // fits a cluster of a few dozen nodes inside the box (a stronger pull to the centre, no initial zoom-in:
        // with zoom 1.4 and gravity 0.05 the demo's 20-node graph spilled over the top and bottom edges)
        force: { repulsion: 320, edgeLength: [70, 150], gravity: 0.08 },
        zoom: 1,
        top: 10,
        bottom: 40, // above the legend
        label: { show: graph.nodes.length <= 80, position: 'right', fontSize: 11 },
        edgeSymbol: ['none', 'arrow'],
        edgeSymbolSize: 6,
        lineStyle: { color: 'source', opacity: 0.6 },
        data: graph.nodes.map((n) => ({
          id: n.id,
          name: n.label,
          category: catOf(n),
          symbol: n.kind === 'venue' ? 'rect' : 'circle',
          symbolSize: n.kind === 'case' ? 26 : n.kind === 'venue' ? 14 : n.level === 1 ? 16 : 11,
          value: n.caseId ?? '',
        })),
        links: graph.edges.map((e) => ({ source: e.source, target: e.target, lineStyle: e.kind === 'household' ? { type: 'dashed' } : undefined })),
      },
    ],
  }), [graph, tc]);
  const ref = useChart(option, (d) => {
    const caseId = (d as { value?: string }).value;
    if (caseId) navigate(`/cases/${caseId}`);
  });
  return <div ref={ref} style={{ width: '100%', height }} data-testid="transmission-graph" />;
}

export function TemperatureChart({ points, threshold }: { points: FollowUpPoint[]; threshold: number }) {
  const fmt = useFormat();
  const option = useMemo(() => ({
    grid: { left: 40, right: 20, top: 20, bottom: 30 },
    tooltip: { trigger: 'axis' },
    xAxis: { type: 'category', data: points.map((p) => fmt.shortDay(p.day)) },
    yAxis: { type: 'value', min: 35, max: 41 },
    series: [
      {
        type: 'line',
        data: points.map((p) => ({ value: p.temperature, itemStyle: { color: p.temperature !== null && p.temperature >= threshold ? '#c92a2a' : '#1c7ed6' } })),
        connectNulls: true,
        symbolSize: 8,
        markLine: { symbol: 'none', data: [{ yAxis: threshold, lineStyle: { color: '#c92a2a', type: 'dashed' }, label: { formatter: `${threshold.toFixed(1)} °C` } }] },
      },
    ],
  }), [points, threshold, fmt]);
  const ref = useChart(option);
  return <div ref={ref} style={{ width: '100%', height: 220 }} data-testid="temperature-chart" />;
}
