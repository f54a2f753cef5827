/**
 * Money is exact: amounts travel as decimal strings (as Cost Explorer returns them) and are summed
 * with arbitrary-precision decimals. Rounding happens only for display.
 */
import Big from 'big.js';

export interface Money {
  /** Decimal string, never rounded in transit, e.g. "1234.5678901234". */
  amount: string;
  /** ISO currency code as AWS reports it, e.g. "USD". */
  unit: string;
}

export const ZERO = '0';

export function addAmounts(...amounts: string[]): string {
  return amounts.reduce((sum, a) => sum.plus(new Big(a)), new Big(0)).toString();
}

export function subtractAmounts(a: string, b: string): string {
  return new Big(a).minus(new Big(b)).toString();
}

export function compareAmounts(a: string, b: string): number {
  return new Big(a).cmp(new Big(b));
}

/** Percentage change from `previous` to `current`, or null when there is no baseline. */
export function percentChange(current: string, previous: string): number | null {
  const base = new Big(previous);
  if (base.eq(0)) return null;
  return Number(new Big(current).minus(base).div(base).times(100).round(2, Big.roundHalfEven).toString());
}

/** Display-only rounding: "$1,234.57". */
export function formatUsd(amount: string, unit = 'USD'): string {
  const rounded = Number(new Big(amount).round(2, Big.roundHalfEven).toString());
  const text = rounded.toLocaleString('en-US', { minimumFractionDigits: 2, maximumFractionDigits: 2 });
  return unit === 'USD' ? `$${text}`.replace('$-', '-$') : `${text} ${unit}`;
}

export function multiplyAmount(amount: string, factor: number): string {
  return new Big(amount).times(factor).toString();
}
