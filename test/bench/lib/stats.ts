// Small statistics and formatting helpers for the benchmark.

/** The median of a non-empty list (mean of the two middle values for even lengths). */
export function median(values: readonly number[]): number {
  if (values.length === 0) return NaN;
  const s = [...values].sort((a, b) => a - b);
  const mid = s.length >> 1;
  return s.length % 2 ? s[mid] : (s[mid - 1] + s[mid]) / 2;
}

/** The p-th percentile (0..100), nearest-rank method. */
export function percentile(values: readonly number[], p: number): number {
  if (values.length === 0) return NaN;
  const s = [...values].sort((a, b) => a - b);
  const rank = Math.ceil((p / 100) * s.length);
  return s[Math.min(s.length - 1, Math.max(0, rank - 1))];
}

export function min(values: readonly number[]): number {
  return values.length ? Math.min(...values) : NaN;
}

export function max(values: readonly number[]): number {
  return values.length ? Math.max(...values) : NaN;
}

/** Milliseconds since `start` (a `performance.now()` value). */
export function since(start: number): number {
  return performance.now() - start;
}

/** A number of milliseconds with a sensible precision: 0.042 ms, 3.21 ms, 84.3 ms, 1234 ms. */
export function ms(value: number): string {
  if (!Number.isFinite(value)) return 'n/a';
  const a = Math.abs(value);
  const digits = a < 1 ? 3 : a < 10 ? 2 : a < 100 ? 1 : 0;
  return `${value.toFixed(digits)} ms`;
}

/** Bytes as "190,214 B (185.8 KiB)". */
export function bytes(value: number): string {
  if (!Number.isFinite(value)) return 'n/a';
  return `${Math.round(value).toLocaleString('en-US')} B (${(value / 1024).toFixed(1)} KiB)`;
}

/** A ratio as "1.07x"; n/a when either side is missing or zero. */
export function ratio(a: number, b: number): number {
  return Number.isFinite(a) && Number.isFinite(b) && b !== 0 ? a / b : NaN;
}

export function x(value: number): string {
  return Number.isFinite(value) ? `${value.toFixed(2)}x` : 'n/a';
}
