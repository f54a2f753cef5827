/**
 * Exact decimal sums for the sample account. Cost lines carry amounts with at most 10 decimal
 * places (as Cost Explorer does); summing them as scaled integers keeps every total exact, and
 * formatting reproduces AWS's decimal strings ("12.3456789", "0").
 */
export const DECIMALS = 10;
const SCALE = 10n ** BigInt(DECIMALS);

/** Round a number to the 10 decimal places the sample account keeps. */
export function round10(value: number): number {
  // Integer / 1e10 is correctly rounded, so this equals Number(value.toFixed(10)) but is faster.
  if (Math.abs(value) < 1e5) return Math.round(value * 1e10) / 1e10;
  return Number(value.toFixed(DECIMALS));
}

/** A number with at most 10 decimal places as an integer count of 1e-10 units. */
export function toScaled(value: number): bigint {
  // Below 1e5 the product stays well inside 2^53, so the fast path is exact.
  if (Math.abs(value) < 1e5) return BigInt(Math.round(value * 1e10));
  const [whole, fraction = ''] = value.toFixed(DECIMALS).split('.');
  return BigInt(`${whole}${fraction.padEnd(DECIMALS, '0')}`);
}

/** A scaled integer back to a plain decimal string without trailing zeros ("0" for zero). */
export function formatScaled(value: bigint): string {
  const negative = value < 0n;
  const abs = negative ? -value : value;
  const whole = abs / SCALE;
  const fraction = (abs % SCALE).toString().padStart(DECIMALS, '0').replace(/0+$/, '');
  const text = fraction ? `${whole}.${fraction}` : `${whole}`;
  return negative && text !== '0' ? `-${text}` : text;
}
