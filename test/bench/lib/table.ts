// The benchmark's one table: every figure, its baseline and ratio, the budget and a verdict.

export type Verdict = 'ok' | 'MISSED' | 'info' | 'n/a';

export interface Row {
  /** Group label, e.g. "Bundle", "Activation". */
  section: string;
  measure: string;
  ours: string;
  baseline: string;
  ratio: string;
  budget: string;
  verdict: Verdict;
  /** Raw numbers for results.json (ms, bytes, counts). */
  data?: Record<string, unknown>;
}

const HEADERS = ['measure', 'ours', 'baseline', 'ratio', 'budget', 'verdict'] as const;

function cells(r: Row): string[] {
  return [`${r.section}: ${r.measure}`, r.ours, r.baseline, r.ratio, r.budget, r.verdict];
}

/** A GitHub-flavoured markdown table (pipes in cells escaped). */
export function markdownTable(rows: readonly Row[]): string {
  const esc = (s: string) => s.replace(/\|/g, '\\|');
  const lines = [`| ${HEADERS.join(' | ')} |`, `| ${HEADERS.map(() => '---').join(' | ')} |`];
  for (const r of rows) lines.push(`| ${cells(r).map(esc).join(' | ')} |`);
  return lines.join('\n');
}

/** The same table padded for a terminal. */
export function textTable(rows: readonly Row[]): string {
  const all = [HEADERS as readonly string[], ...rows.map(cells)];
  const widths = HEADERS.map((_, i) => Math.max(...all.map((r) => r[i].length)));
  const line = (r: readonly string[]) =>
    r
      .map((c, i) => c.padEnd(widths[i]))
      .join('  ')
      .trimEnd();
  return [line(HEADERS), widths.map((w) => '-'.repeat(w)).join('  '), ...rows.map((r) => line(cells(r)))].join('\n');
}
