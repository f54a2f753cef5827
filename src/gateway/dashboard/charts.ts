/**
 * Charts in the dashboard: the view model's charts drawn with Apache ECharts (bundled, SVG renderer, no
 * CDN), the same options the HTML export renders on the server. Each chart has a text alternative.
 */
import { chartOption, chartSummary } from '../../presentation/charts';
import { echarts } from '../../presentation/echarts';
import type { ChartView } from '../../presentation/model';
import { h } from './dom';

const charts = new Set<{ resize(): void; isDisposed(): boolean }>();
let listening = false;

/** A chart in a figure; drawn once the figure is in the page (ECharts measures its container). */
export function chartFigure(chart: ChartView): HTMLElement {
  const summary = chartSummary(chart);
  const canvas = h('div', { class: `chart chart-${chart.kind}`, data: { chart: chart.id }, aria: { hidden: 'true' } });
  const figure = h('figure', { class: 'chart-figure', id: `chart-${chart.id}`, role: 'img', aria: { label: summary } }, canvas, h('figcaption', { class: 'muted small' }, summary));
  requestAnimationFrame(() => {
    if (!canvas.isConnected) return;
    const instance = echarts.init(canvas, null, { renderer: 'svg' });
    instance.setOption(chartOption(chart));
    charts.add(instance);
    if (!listening) {
      listening = true;
      window.addEventListener('resize', () => {
        for (const c of charts) {
          if (c.isDisposed()) charts.delete(c);
          else c.resize();
        }
      });
    }
  });
  return figure;
}
