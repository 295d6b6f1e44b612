/**
 * One measured figure. BENCHMARKS.md: `B1 name value unit (baseline value unit, 2.10x)`; a
 * budget with no baseline (B6, B7) prints the budget in the baseline's place, and a figure
 * given for context only (B2's time) prints neither.
 */
export type Figure = {
  id: string
  name: string
  value: number
  unit: string
  reference?: { kind: 'baseline' | 'budget'; value: number; unit: string }
  /** Whether the figure is within its budget. */
  isWithinBudget: boolean
}

export function formatFigure(figure: Figure): string {
  const { reference } = figure
  const verdict = figure.isWithinBudget ? '' : ' OVER BUDGET'
  const measured = `${figure.id} ${figure.name} ${round(figure.value)} ${figure.unit}`
  if (!reference) return `${measured}${verdict}`
  const ratio = reference.value === 0 ? Number.NaN : figure.value / reference.value
  const compared = reference.kind === 'baseline' ? `${ratio.toFixed(2)}x` : `ratio ${ratio.toFixed(2)}`
  return `${measured} (${reference.kind} ${round(reference.value)} ${reference.unit}, ${compared})${verdict}`
}

export function median(values: number[]): number {
  const sorted = [...values].sort((a, b) => a - b)
  const middle = Math.floor(sorted.length / 2)
  return sorted.length % 2 === 1 ? sorted[middle] : (sorted[middle - 1] + sorted[middle]) / 2
}

/** The nearest-rank percentile: p99 of 400 samples is the 396th smallest. */
export function percentile(values: number[], p: number): number {
  const sorted = [...values].sort((a, b) => a - b)
  return sorted[Math.max(0, Math.ceil((p / 100) * sorted.length) - 1)]
}

function round(value: number): string {
  return value >= 100 ? value.toFixed(0) : value >= 10 ? value.toFixed(1) : value.toFixed(2)
}
