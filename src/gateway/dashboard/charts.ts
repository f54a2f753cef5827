/**
 * Hand-made SVG and CSS charts: the daily spend trend (with an optional forecast band) and the spend
 * by service breakdown. Amounts arrive as exact decimal strings; charts convert to numbers for drawing
 * only, and every mark carries its exact amount in a data attribute (the browser tests compare them
 * with the report). Labels are text nodes.
 */
import { formatUsd } from '../../domain/money';
import type { ServiceSpendLine } from '../../domain/report';
import { h, svg } from './dom';

export interface TrendPoint {
  date: string;
  amount: string;
}

export interface BandPoint {
  date: string;
  mean: number;
  lower: number;
  upper: number;
}

const WIDTH = 800;
const HEIGHT = 260;
const PAD = { top: 16, right: 16, bottom: 32, left: 64 };

/** 0, step, 2·step... covering max, with a 1-2-5 step. */
export function niceTicks(max: number, count = 5): number[] {
  if (!(max > 0)) return [0, 1];
  const raw = max / count;
  const magnitude = 10 ** Math.floor(Math.log10(raw));
  const step = [1, 2, 2.5, 5, 10].map((m) => m * magnitude).find((s) => s >= raw) ?? 10 * magnitude;
  const ticks: number[] = [];
  for (let v = 0; v < max + step * 0.999; v += step) ticks.push(Math.round(v * 1e6) / 1e6);
  return ticks;
}

function compactUsd(value: number, unit: string): string {
  if (unit !== 'USD') return `${value.toLocaleString('en-US', { maximumFractionDigits: 0 })} ${unit}`;
  if (value >= 1e6) return `$${(value / 1e6).toFixed(1)}M`;
  if (value >= 1e4) return `$${Math.round(value / 1e3)}k`;
  if (value >= 1e3) return `$${(value / 1e3).toFixed(1)}k`;
  return `$${Math.round(value)}`;
}

function shortDate(date: string): string {
  const d = new Date(`${date}T00:00:00Z`);
  return d.toLocaleDateString('en-US', { month: 'short', day: 'numeric', timeZone: 'UTC' });
}

/** The daily trend: area + line, y axis with nice ticks, a tooltip that follows the pointer. */
export function trendChart(points: readonly TrendPoint[], unit: string, band: readonly BandPoint[] = []): HTMLElement {
  const wrapper = h('figure', { class: 'chart trend', data: { points: points.length } });
  if (points.length === 0) {
    wrapper.append(h('p', { class: 'muted' }, 'No daily spend in this period.'));
    return wrapper;
  }
  const values = points.map((p) => Number(p.amount));
  const all = [...points.map((p) => p.date), ...band.map((b) => b.date)];
  const max = Math.max(...values, ...band.map((b) => b.upper));
  const ticks = niceTicks(max);
  const top = ticks[ticks.length - 1] ?? 1;
  const innerW = WIDTH - PAD.left - PAD.right;
  const innerH = HEIGHT - PAD.top - PAD.bottom;
  const x = (i: number) => PAD.left + (all.length === 1 ? innerW / 2 : (i / (all.length - 1)) * innerW);
  const y = (v: number) => PAD.top + innerH - (v / top) * innerH;

  const chart = svg('svg', { viewBox: `0 0 ${WIDTH} ${HEIGHT}`, role: 'img', class: 'trend-svg', 'aria-label': `Daily spend, ${points.length} days` });
  const grid = svg('g', { class: 'grid' });
  for (const t of ticks) {
    grid.append(
      svg('line', { x1: PAD.left, x2: WIDTH - PAD.right, y1: y(t), y2: y(t) }),
      svg('text', { x: PAD.left - 8, y: y(t) + 4, 'text-anchor': 'end', class: 'tick' }, compactUsd(t, unit)),
    );
  }
  const labelEvery = Math.max(1, Math.ceil(all.length / 8));
  all.forEach((date, i) => {
    if (i % labelEvery === 0 || i === all.length - 1) {
      grid.append(svg('text', { x: x(i), y: HEIGHT - 10, 'text-anchor': 'middle', class: 'tick' }, shortDate(date)));
    }
  });
  chart.append(grid);

  if (band.length > 0) {
    const offset = points.length;
    const upper = band.map((b, i) => `${x(offset + i)},${y(b.upper)}`);
    const lower = band.map((b, i) => `${x(offset + i)},${y(b.lower)}`).reverse();
    chart.append(
      svg('polygon', { class: 'band', points: [...upper, ...lower].join(' ') }),
      svg('polyline', { class: 'forecast', points: band.map((b, i) => `${x(offset + i)},${y(b.mean)}`).join(' ') }),
    );
  }

  const line = values.map((v, i) => `${i === 0 ? 'M' : 'L'}${x(i).toFixed(2)},${y(v).toFixed(2)}`).join('');
  chart.append(
    svg('path', { class: 'area', d: `${line}L${x(values.length - 1).toFixed(2)},${y(0)}L${x(0).toFixed(2)},${y(0)}Z` }),
    svg('path', { class: 'line', d: line }),
  );
  const dots = svg('g', { class: 'points' });
  points.forEach((p, i) => {
    dots.append(svg('circle', { cx: x(i).toFixed(2), cy: y(values[i]!).toFixed(2), r: 3, 'data-date': p.date, 'data-amount': p.amount }));
  });
  chart.append(dots);

  const cursor = svg('line', { class: 'cursor', x1: 0, x2: 0, y1: PAD.top, y2: HEIGHT - PAD.bottom, visibility: 'hidden' });
  chart.append(cursor);
  const tooltip = h('div', { class: 'tooltip', hidden: true, role: 'status' });
  const overlay = svg('rect', { class: 'overlay', x: PAD.left, y: PAD.top, width: innerW, height: innerH });
  overlay.addEventListener('pointermove', (event) => {
    const box = chart.getBoundingClientRect();
    const px = ((event.clientX - box.left) / box.width) * WIDTH;
    const i = Math.max(0, Math.min(points.length - 1, Math.round(((px - PAD.left) / innerW) * (all.length - 1))));
    const p = points[i]!;
    cursor.setAttribute('x1', String(x(i)));
    cursor.setAttribute('x2', String(x(i)));
    cursor.setAttribute('visibility', 'visible');
    tooltip.replaceChildren(h('strong', {}, formatUsd(p.amount, unit)), h('span', {}, shortDate(p.date)));
    tooltip.hidden = false;
    tooltip.style.left = `${(x(i) / WIDTH) * 100}%`;
    tooltip.style.top = `${(y(values[i]!) / HEIGHT) * 100}%`;
  });
  overlay.addEventListener('pointerleave', () => {
    cursor.setAttribute('visibility', 'hidden');
    tooltip.hidden = true;
  });
  chart.append(overlay);

  wrapper.append(h('div', { class: 'chart-body' }, chart, tooltip));
  if (band.length) wrapper.append(h('figcaption', { class: 'legend' }, h('span', { class: 'key actual' }, 'Actual'), h('span', { class: 'key band' }, 'Forecast with interval')));
  // The same data as a table, for screen readers and for copying.
  wrapper.append(
    h(
      'details',
      { class: 'data-table' },
      h('summary', {}, 'Daily figures'),
      h(
        'table',
        {},
        h('thead', {}, h('tr', {}, h('th', {}, 'Date'), h('th', {}, 'Spend'))),
        h('tbody', {}, points.map((p) => h('tr', {}, h('td', {}, p.date), h('td', { class: 'num' }, formatUsd(p.amount, unit))))),
      ),
    ),
  );
  return wrapper;
}

/** Horizontal bars, highest spend first, with the change against the previous period. */
export function serviceBreakdown(lines: readonly ServiceSpendLine[], unit: string, initiallyShown = 10): HTMLElement {
  const max = Math.max(...lines.map((l) => Number(l.amount)), 0);
  const list = h('ol', { class: 'bars' });
  lines.forEach((line, index) => {
    const width = max > 0 ? (Number(line.amount) / max) * 100 : 0;
    const bar = h('span', { class: 'bar' });
    bar.style.width = `${Math.max(width, 0.5).toFixed(2)}%`;
    const change = line.changePct === null ? 'new' : `${line.changePct >= 0 ? '+' : ''}${line.changePct.toFixed(1)}%`;
    list.append(
      h(
        'li',
        { class: `bar-row${index >= initiallyShown ? ' extra' : ''}`, data: { service: line.service, amount: line.amount }, hidden: index >= initiallyShown },
        h('span', { class: 'bar-label', title: line.service }, line.service),
        h('span', { class: 'bar-track' }, bar),
        h('span', { class: 'bar-value num' }, formatUsd(line.amount, unit)),
        h('span', { class: `bar-change num ${line.changePct !== null && line.changePct > 0 ? 'up' : 'down'}` }, change),
      ),
    );
  });
  const figure = h('figure', { class: 'chart services', data: { services: lines.length } }, list);
  if (lines.length > initiallyShown) {
    const more = h('button', { class: 'link', type: 'button' }, `Show all ${lines.length} services`);
    more.addEventListener('click', () => {
      for (const row of list.querySelectorAll<HTMLElement>('.extra')) row.hidden = false;
      more.remove();
    });
    figure.append(more);
  }
  return figure;
}
