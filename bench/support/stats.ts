/** Percentiles and the BENCH line every benchmark prints. */

export function percentile(values: number[], p: number): number {
  if (values.length === 0) return NaN;
  const sorted = [...values].sort((x, y) => x - y);
  const rank = Math.min(sorted.length - 1, Math.max(0, Math.ceil((p / 100) * sorted.length) - 1));
  return sorted[rank]!;
}

export const median = (values: number[]) => percentile(values, 50);

const round = (n: number, digits = 3) => Number(n.toFixed(digits));

/** `BENCH {"name":…,"value":…,"unit":…,"baseline":…,"ratio":…}` on stdout. */
export function printBench(name: string, value: number, unit: string, baseline: number): void {
  const line = { name, value: round(value), unit, baseline: round(baseline), ratio: round(value / baseline) };
  console.log(`BENCH ${JSON.stringify(line)}`);
}

/**
 * A percentile of the product's samples against the same percentile of the baseline's, with
 * each side's min, median and max: `BENCH {…, "spread": {"value": [min, median, max],
 * "baseline": [min, median, max]}, "samples": [n, n]}`.
 */
export function printBenchSpread(name: string, p: number, samples: number[], baselineSamples: number[], unit: string): void {
  const spread = (v: number[]): number[] => [Math.min(...v), median(v), Math.max(...v)].map((n) => round(n));
  const value = percentile(samples, p);
  const baseline = percentile(baselineSamples, p);
  const line = {
    name,
    value: round(value),
    unit,
    baseline: round(baseline),
    ratio: round(value / baseline),
    spread: { value: spread(samples), baseline: spread(baselineSamples) },
    samples: [samples.length, baselineSamples.length],
  };
  console.log(`BENCH ${JSON.stringify(line)}`);
}
