/**
 * The part of Apache ECharts this project uses, registered once: bar and line charts, grid, legend,
 * tooltip and ARIA, drawn with the SVG renderer (in the browser and, for the HTML export, on the server).
 */
import { BarChart, LineChart } from 'echarts/charts';
import { AriaComponent, GridComponent, LegendComponent, TooltipComponent } from 'echarts/components';
import * as echarts from 'echarts/core';
import { SVGRenderer } from 'echarts/renderers';
import { chartOption } from './charts';
import type { ChartView } from './model';

echarts.use([BarChart, LineChart, AriaComponent, GridComponent, LegendComponent, TooltipComponent, SVGRenderer]);

export { echarts };

/** A chart as an SVG string (server-side rendering: no DOM needed). */
export function chartSvg(chart: ChartView, width = 760, height = 300): string {
  const instance = echarts.init(null, null, { renderer: 'svg', ssr: true, width, height });
  try {
    instance.setOption(chartOption(chart));
    return instance.renderToSVGString();
  } finally {
    instance.dispose();
  }
}
