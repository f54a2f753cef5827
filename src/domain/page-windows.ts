/**
 * Reading a long Cost Explorer listing in parallel windows. GetCostAndUsage pages are chosen by the
 * service (about a thousand groups each) and each needs the previous page's token, so a daily read by
 * service and usage type of a large organisation (tens of thousands of groups) is a chain of dozens of
 * requests, each a round trip of half a second or more on AWS: the longest wait of the whole analysis.
 *
 * The first page shows how many days a page holds. When the rest would take several more pages, the rest
 * is read as a few windows of whole days at once, each paged on its own. The requests stay about the same
 * (a window's last page is partly filled, and the first page's last day, which may continue on the next
 * page, is read again with its window), and the chain becomes a few requests long. A read that fits in a
 * page or two goes on with its token as before, so small accounts make exactly the requests they did.
 */
import { addDays, periodDays, type Period } from './period';

/** How the rest of a read goes on after its first page. */
export type RestOfRead = { kind: 'continue' } | { kind: 'windows'; windows: Period[] };

/**
 * `lastDay`: the start of the first page's last result (the day that may continue on the next page);
 * `daysOnPage`: how many days' results the first page held, that one included.
 * At most `maxWindows` windows, and never fewer than two pages' worth of days left to split.
 */
export function planRestOfRead(span: Period, lastDay: string, daysOnPage: number, maxWindows: number): RestOfRead {
  if (lastDay < span.start || lastDay >= span.end) return { kind: 'continue' };
  const rest = { start: lastDay, end: span.end };
  const days = periodDays(rest);
  // A page held `daysOnPage` days, so the rest needs about days / daysOnPage more pages.
  const pagesLeft = days / Math.max(1, daysOnPage);
  const count = Math.min(maxWindows, days, Math.floor(pagesLeft));
  if (count < 2) return { kind: 'continue' };
  const windows: Period[] = [];
  let start = rest.start;
  for (let i = 0; i < count; i++) {
    // Near-equal windows: the first (days % count) get one day more.
    const length = Math.floor(days / count) + (i < days % count ? 1 : 0);
    const end = addDays(start, length);
    windows.push({ start, end });
    start = end;
  }
  return { kind: 'windows', windows };
}
