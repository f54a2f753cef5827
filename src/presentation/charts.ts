/**
 * Chart options for Apache ECharts from the view model's charts: the dashboard draws them in the
 * browser, the HTML export renders the same options to inline SVG on the server (html.ts). Plain data
 * in, plain option objects out; money is formatted by format.ts.
 */
import type { EChartsCoreOption } from 'echarts/core';
import { date, money, percent } from './format';
import type { BandChart, ChartView, PercentBarsChart, StackedChart } from './model';

/** Colour-blind-safe palette (Okabe–Ito), dark enough on white for the axis text contrast checks. */
export const PALETTE = ['#0072B2', '#D55E00', '#009E73', '#CC79A7', '#E69F00', '#56B4E9', '#7a6a00', '#555555', '#8c564b', '#2f4b7c'];

const axisMoney = (unit: string) => (value: number) => money(String(Math.round(value)), unit).replace(/\.00$/, '');
const shortDate = (iso: string) => date(iso).replace(/ \d{4}$/, '');

function base(title: string): EChartsCoreOption {
  return {
    animation: false,
    color: PALETTE,
    aria: { enabled: true, label: { description: title } },
    textStyle: { fontFamily: 'system-ui, -apple-system, "Segoe UI", Roboto, "Liberation Sans", sans-serif', color: '#222' },
    grid: { left: 8, right: 16, top: 36, bottom: 8, outerBoundsMode: 'same', outerBoundsContain: 'axisLabel' },
  };
}

function stacked(c: StackedChart): EChartsCoreOption {
  const fmt = (v: unknown) => (typeof v === 'number' ? money(v.toFixed(2), c.unit) : '—');
  return {
    ...base(c.title),
    legend: c.series.length > 1 ? { type: 'scroll', top: 0 } : { show: false },
    tooltip: { trigger: 'axis', axisPointer: { type: 'shadow' }, valueFormatter: fmt },
    xAxis: { type: 'category', data: c.categories, axisLabel: { formatter: shortDate, color: '#333' } },
    yAxis: { type: 'value', axisLabel: { formatter: axisMoney(c.unit), color: '#333' } },
    series: c.series.map((s) => ({ name: s.name, type: 'bar', stack: 'spend', data: s.values, emphasis: { focus: 'series' } })),
  };
}

function band(c: BandChart): EChartsCoreOption {
  const dates = [...new Set([...c.history.map((p) => p.date), ...c.forecast.map((p) => p.date), ...(c.reference ?? []).map((p) => p.date)])].sort();
  const at = <T extends { date: string }>(points: readonly T[], pick: (p: T) => number) => {
    const by = new Map(points.map((p) => [p.date, pick(p)]));
    return dates.map((d) => (by.has(d) ? by.get(d)! : null));
  };
  const fmt = (v: unknown) => (typeof v === 'number' ? money(v.toFixed(2), c.unit) : '—');
  return {
    ...base(c.title),
    legend: { top: 0, data: ['Actual', 'Forecast', ...(c.reference ? ['Cost Explorer forecast'] : [])] },
    tooltip: { trigger: 'axis', valueFormatter: fmt },
    xAxis: { type: 'category', data: dates, axisLabel: { formatter: shortDate, color: '#333' } },
    yAxis: { type: 'value', axisLabel: { formatter: axisMoney(c.unit), color: '#333' } },
    series: [
      { name: 'Lower bound', type: 'line', stack: 'band', data: at(c.forecast, (p) => p.lower), lineStyle: { opacity: 0 }, symbol: 'none', tooltip: { show: false } },
      {
        name: 'Band',
        type: 'line',
        stack: 'band',
        data: at(c.forecast, (p) => p.upper - p.lower),
        lineStyle: { opacity: 0 },
        areaStyle: { color: 'rgba(213, 94, 0, 0.18)' },
        symbol: 'none',
        tooltip: { show: false },
      },
      { name: 'Actual', type: 'line', data: at(c.history, (p) => p.value), color: PALETTE[0], symbol: 'circle', symbolSize: 4 },
      { name: 'Forecast', type: 'line', data: at(c.forecast, (p) => p.mean), color: PALETTE[1], lineStyle: { type: 'dashed' }, symbol: 'none' },
      ...(c.reference ? [{ name: 'Cost Explorer forecast', type: 'line', data: at(c.reference, (p) => p.value), color: PALETTE[7], lineStyle: { type: 'dotted' }, symbol: 'none' }] : []),
    ],
  };
}

function percentBars(c: PercentBarsChart): EChartsCoreOption {
  return {
    ...base(c.title),
    legend: { top: 0 },
    tooltip: { trigger: 'axis', axisPointer: { type: 'shadow' }, valueFormatter: (v: unknown) => percent(Number(v)) },
    xAxis: { type: 'value', max: 100, axisLabel: { formatter: (v: number) => `${v}%`, color: '#333' } },
    yAxis: { type: 'category', data: c.categories, inverse: true, axisLabel: { color: '#333' } },
    series: c.series.map((s) => ({ name: s.name, type: 'bar', data: s.values, label: { show: true, position: 'right', formatter: (p: { value: number }) => percent(p.value), color: '#222' } })),
  };
}

export function chartOption(chart: ChartView): EChartsCoreOption {
  switch (chart.kind) {
    case 'stacked':
      return stacked(chart);
    case 'band':
      return band(chart);
    case 'percent-bars':
      return percentBars(chart);
  }
}

/** A text alternative for a chart: what it shows, for screen readers and the printed page. */
export function chartSummary(chart: ChartView): string {
  switch (chart.kind) {
    case 'stacked': {
      const totals = chart.categories.map((_, i) => chart.series.reduce((s, x) => s + (x.values[i] ?? 0), 0));
      if (!totals.length) return `${chart.title}: no data.`;
      const max = Math.max(...totals);
      const peak = chart.categories[totals.indexOf(max)] ?? '';
      return `${chart.title}: ${chart.categories.length} days from ${date(chart.categories[0] ?? '')} to ${date(chart.categories.at(-1) ?? '')}, highest ${money(max.toFixed(2), chart.unit)} on ${date(peak)}; ${chart.series.length} series.`;
    }
    case 'band': {
      const total = chart.forecast.reduce((s, p) => s + p.mean, 0);
      return `${chart.title}: ${chart.history.length} days of actual spend and ${chart.forecast.length} forecast days totalling ${money(total.toFixed(2), chart.unit)}.`;
    }
    case 'percent-bars':
      return `${chart.title}: ${chart.categories.map((k, i) => `${k} ${chart.series.map((s) => `${s.name.toLowerCase()} ${percent(s.values[i] ?? 0)}`).join(', ')}`).join('; ')}.`;
  }
}
