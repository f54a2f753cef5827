/**
 * The sample account's cost history, stored so that a 10,000-instance organisation with 14 months
 * of daily data fits in memory and Cost Explorer queries over it stay fast.
 *
 * A cost row is (day, line key, resource, amount, usage). A line key is everything Cost Explorer
 * groups and filters by except the resource: account, region, service, usage type, operation, unit,
 * record type and the cost-allocation tags — interned, so a query evaluates its filter and group
 * keys once per line key, not once per row. Rows are kept in typed arrays, sorted by day.
 *
 * Resource detail: Cost Explorer only has resource-level data for the last 14 days. Rows on days
 * from `detailStartDay` on carry their resource; older rows are aggregated over resources (one row
 * per line key and day), which is what keeps large scenarios small. Small scenarios keep resource
 * detail for their whole history.
 *
 * Amounts are integers in units of 1e-10 USD (AWS's precision), held in float64 — exact below 2^53
 * (about $900,000 per row), which the builder checks. Sums over rows use `ExactSum`, exact at any size.
 */
import { fromEpochDay } from './dates';
import { formatScaled } from './decimal';

export const AMOUNT_SCALE = 1e10;

/** What Cost Explorer knows about a cost line besides its day, resource and amounts. */
export interface LineKey {
  account: string;
  region: string;
  service: string;
  usageType: string;
  operation: string;
  /** Unit of the usage quantity: Hrs, GB-Mo, GB, Requests, Metrics, IOPS-Mo, ... */
  usageUnit: string;
  /** Cost Explorer RECORD_TYPE ("Usage"). */
  recordType: string;
  /** Cost-allocation tags of the line (shared, frozen). Non-resource charges: {}. */
  tags: Readonly<Record<string, string>>;
}

/** One day's cost of one line key (and resource, where the store keeps resource detail). */
export interface CostLine extends LineKey {
  date: string;
  resourceId?: string;
  /** USD, at most 10 decimal places. */
  amount: number;
  usageQuantity: number;
}

/** Exact sum of scaled amounts: a float part kept below 2^52 and a bigint overflow. */
export class ExactSum {
  private small = 0;
  private big = 0n;

  add(scaled: number): void {
    this.small += scaled;
    if (this.small > 4e15 || this.small < -4e15) {
      this.big += BigInt(this.small);
      this.small = 0;
    }
  }

  addScaled(value: bigint): void {
    this.big += value;
  }

  addSum(other: ExactSum): void {
    this.big += other.big;
    this.add(other.small);
  }

  /** The total in 1e-10 units. */
  scaled(): bigint {
    return this.big + BigInt(this.small);
  }

  isZero(): boolean {
    return this.small === 0 && this.big === 0n;
  }

  /** AWS's decimal string ("12.3456789", "0"). */
  format(): string {
    return formatScaled(this.scaled());
  }
}

export class CostStore {
  constructor(
    /** Epoch day of the first day with data. */
    readonly firstDay: number,
    /** Epoch day of the last day with data (the anchor date). */
    readonly lastDay: number,
    /** First epoch day whose rows carry their resource. */
    readonly detailStartDay: number,
    readonly keys: readonly LineKey[],
    readonly resources: readonly string[],
    /** Row range of day d: [dayOffsets[d - firstDay], dayOffsets[d - firstDay + 1]). */
    readonly dayOffsets: Int32Array,
    readonly rowKey: Int32Array,
    /** Index into `resources`, or -1. */
    readonly rowResource: Int32Array,
    /** 1e-10 USD units. */
    readonly rowAmount: Float64Array,
    readonly rowUsage: Float64Array,
  ) {}

  /** JSON.stringify(scenario) shows a summary, not millions of numbers. */
  toJSON(): { firstDay: number; lastDay: number; detailStartDay: number; rows: number; keys: number; total: string } {
    const total = new ExactSum();
    for (let row = 0; row < this.rowKey.length; row++) total.add(this.rowAmount[row] as number);
    return {
      firstDay: this.firstDay,
      lastDay: this.lastDay,
      detailStartDay: this.detailStartDay,
      rows: this.rowKey.length,
      keys: this.keys.length,
      total: total.format(),
    };
  }

  get rowCount(): number {
    return this.rowKey.length;
  }

  /** Row range [from, to) covering epoch days [startDay, endDay). */
  rowRange(startDay: number, endDay: number): [number, number] {
    const days = this.dayOffsets.length - 1;
    const a = Math.min(days, Math.max(0, startDay - this.firstDay));
    const b = Math.min(days, Math.max(0, endDay - this.firstDay));
    return [this.dayOffsets[a] as number, this.dayOffsets[Math.max(a, b)] as number];
  }

  /** Epoch day of a row (binary search over the day offsets). */
  dayOfRow(row: number): number {
    let lo = 0;
    let hi = this.dayOffsets.length - 2;
    while (lo < hi) {
      const mid = (lo + hi + 1) >> 1;
      if ((this.dayOffsets[mid] as number) <= row) lo = mid;
      else hi = mid - 1;
    }
    return this.firstDay + lo;
  }

  /** Cost lines of epoch days [startDay, endDay) as objects (for tests and small scenarios). */
  *lines(startDay = this.firstDay, endDay = this.lastDay + 1): Generator<CostLine> {
    for (let day = Math.max(startDay, this.firstDay); day < Math.min(endDay, this.lastDay + 1); day++) {
      const date = fromEpochDay(day);
      const [from, to] = this.rowRange(day, day + 1);
      for (let row = from; row < to; row++) {
        const key = this.keys[this.rowKey[row] as number] as LineKey;
        const resource = this.rowResource[row] as number;
        yield {
          ...key,
          date,
          ...(resource >= 0 ? { resourceId: this.resources[resource] } : {}),
          amount: (this.rowAmount[row] as number) / AMOUNT_SCALE,
          usageQuantity: this.rowUsage[row] as number,
        };
      }
    }
  }
}

/** Growable float64 / int32 column. */
class Column<T extends Float64Array | Int32Array> {
  data: T;
  length = 0;

  constructor(private readonly make: (n: number) => T) {
    this.data = make(1024);
  }

  push(value: number): void {
    if (this.length === this.data.length) {
      const next = this.make(this.data.length * 2);
      next.set(this.data);
      this.data = next;
    }
    this.data[this.length++] = value;
  }
}

const MAX_EXACT = 2 ** 53;

/**
 * Collects cost amounts and builds a CostStore. Aggregated days (before the detail window) accumulate
 * per line key in dense per-day arrays (amount and usage); detail days are kept as explicit rows.
 * build() lays both out day by day in exactly sized typed arrays.
 */
export class CostStoreBuilder {
  private readonly keyIds = new Map<string, number>();
  private readonly keys: LineKey[] = [];
  private readonly resourceIds = new Map<string, number>();
  private readonly resources: string[] = [];
  /** Per key: [amount, usage] over the aggregated days (lazily allocated). */
  private readonly aggregated: ([Float64Array, Float64Array] | undefined)[] = [];
  private readonly detail = {
    day: new Column((n) => new Int32Array(n)),
    key: new Column((n) => new Int32Array(n)),
    resource: new Column((n) => new Int32Array(n)),
    amount: new Column((n) => new Float64Array(n)),
    usage: new Column((n) => new Float64Array(n)),
  };
  readonly aggregatedDays: number;

  constructor(
    readonly firstDay: number,
    readonly lastDay: number,
    readonly detailStartDay: number,
  ) {
    this.aggregatedDays = Math.max(0, detailStartDay - firstDay);
  }

  private readonly tagSetIds = new WeakMap<object, { id: number; tags: Readonly<Record<string, string>> }>();
  private readonly tagSetById = new Map<string, { id: number; tags: Readonly<Record<string, string>> }>();

  /** Intern a tag set: equal tag sets share one frozen object and one number. */
  tags(tags: Readonly<Record<string, string>>): { id: number; tags: Readonly<Record<string, string>> } {
    let known = this.tagSetIds.get(tags);
    if (known) return known;
    const entries = Object.entries(tags).sort(([a], [b]) => (a < b ? -1 : a > b ? 1 : 0));
    const text = JSON.stringify(entries);
    known = this.tagSetById.get(text);
    if (!known) {
      known = { id: this.tagSetById.size, tags: Object.freeze(Object.fromEntries(entries)) };
      this.tagSetById.set(text, known);
    }
    this.tagSetIds.set(tags, known);
    return known;
  }

  key(key: LineKey): number {
    const { id: tagSet, tags } = this.tags(key.tags);
    const id = `${key.account}\u0001${key.region}\u0001${key.service}\u0001${key.usageType}\u0001${key.operation}\u0001${key.usageUnit}\u0001${key.recordType}\u0001${tagSet}`;
    let index = this.keyIds.get(id);
    if (index === undefined) {
      index = this.keys.length;
      this.keys.push(Object.freeze({ ...key, tags }));
      this.keyIds.set(id, index);
    }
    return index;
  }

  resource(id: string | undefined): number {
    if (id === undefined) return -1;
    let index = this.resourceIds.get(id);
    if (index === undefined) {
      index = this.resources.length;
      this.resources.push(id);
      this.resourceIds.set(id, index);
    }
    return index;
  }

  private arrays(key: number): [Float64Array, Float64Array] {
    let arrays = this.aggregated[key];
    if (!arrays) {
      arrays = [new Float64Array(this.aggregatedDays), new Float64Array(this.aggregatedDays)];
      this.aggregated[key] = arrays;
    }
    return arrays;
  }

  /** The same scaled amount and usage on every day of [fromDay, toDay) (epoch days). */
  addConstant(key: number, resource: number, fromDay: number, toDay: number, amount: number, usage: number): void {
    if (amount === 0 && usage === 0) return;
    const from = Math.max(fromDay, this.firstDay);
    const aggregatedEnd = Math.min(toDay, this.detailStartDay);
    if (aggregatedEnd > from) {
      const [amounts, usages] = this.arrays(key);
      for (let i = from - this.firstDay; i < aggregatedEnd - this.firstDay; i++) {
        amounts[i] = (amounts[i] as number) + amount;
        usages[i] = (usages[i] as number) + usage;
      }
    }
    for (let day = Math.max(from, this.detailStartDay); day < Math.min(toDay, this.lastDay + 1); day++) {
      this.addDetail(key, resource, day, amount, usage);
    }
  }

  /** A scaled amount and usage on one epoch day. */
  add(key: number, resource: number, day: number, amount: number, usage: number): void {
    if ((amount === 0 && usage === 0) || day < this.firstDay || day > this.lastDay) return;
    if (day >= this.detailStartDay) {
      this.addDetail(key, resource, day, amount, usage);
      return;
    }
    const [amounts, usages] = this.arrays(key);
    const i = day - this.firstDay;
    amounts[i] = (amounts[i] as number) + amount;
    usages[i] = (usages[i] as number) + usage;
  }

  private addDetail(key: number, resource: number, day: number, amount: number, usage: number): void {
    this.detail.day.push(day);
    this.detail.key.push(key);
    this.detail.resource.push(resource);
    this.detail.amount.push(amount);
    this.detail.usage.push(usage);
  }

  build(): CostStore {
    const days = this.lastDay - this.firstDay + 1;
    // Count rows per day: non-zero aggregated cells, then detail rows.
    const perDay = new Int32Array(days);
    for (const arrays of this.aggregated) {
      if (!arrays) continue;
      const [amounts, usages] = arrays;
      for (let d = 0; d < this.aggregatedDays; d++) {
        if ((amounts[d] as number) !== 0 || (usages[d] as number) !== 0) perDay[d] = (perDay[d] as number) + 1;
      }
    }
    const detailCount = this.detail.day.length;
    const detailDays = this.detail.day.data;
    for (let i = 0; i < detailCount; i++) {
      const d = (detailDays[i] as number) - this.firstDay;
      perDay[d] = (perDay[d] as number) + 1;
    }
    const dayOffsets = new Int32Array(days + 1);
    for (let d = 0; d < days; d++) dayOffsets[d + 1] = (dayOffsets[d] as number) + (perDay[d] as number);
    const total = dayOffsets[days] as number;
    const rowKey = new Int32Array(total);
    const rowResource = new Int32Array(total).fill(-1);
    const rowAmount = new Float64Array(total);
    const rowUsage = new Float64Array(total);
    const cursor = dayOffsets.slice(0, days);
    // Aggregated rows, key by key (so each day's rows are in key order).
    this.aggregated.forEach((arrays, k) => {
      if (!arrays) return;
      const [amounts, usages] = arrays;
      for (let d = 0; d < this.aggregatedDays; d++) {
        const amount = amounts[d] as number;
        const usage = usages[d] as number;
        if (amount === 0 && usage === 0) continue;
        if (Math.abs(amount) >= MAX_EXACT) throw new Error('cost row above the exact range (~$900,000 a day for one line key)');
        const row = cursor[d] as number;
        cursor[d] = row + 1;
        rowKey[row] = k;
        rowAmount[row] = Math.round(amount);
        rowUsage[row] = roundUsage(usage);
      }
    });
    // Detail rows, in the order they were added within each day.
    for (let i = 0; i < detailCount; i++) {
      const d = (detailDays[i] as number) - this.firstDay;
      const row = cursor[d] as number;
      cursor[d] = row + 1;
      rowKey[row] = this.detail.key.data[i] as number;
      rowResource[row] = this.detail.resource.data[i] as number;
      rowAmount[row] = this.detail.amount.data[i] as number;
      rowUsage[row] = roundUsage(this.detail.usage.data[i] as number);
    }
    return new CostStore(
      this.firstDay,
      this.lastDay,
      this.detailStartDay,
      this.keys,
      this.resources,
      dayOffsets,
      rowKey,
      rowResource,
      rowAmount,
      rowUsage,
    );
  }
}

/** Usage quantities keep 8 decimal places. */
export function roundUsage(value: number): number {
  return Math.abs(value) < 1e7 ? Math.round(value * 1e8) / 1e8 : Number(value.toFixed(8));
}
