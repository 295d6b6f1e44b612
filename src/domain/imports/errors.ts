import type { BatchError } from '../batches/batch.ts'
import type { StaffRole } from '../staff/roles.ts'

/** A problem in the file, where a spreadsheet shows it: line 14, column address. */
export type ImportProblem = { line: number; column: string; message: string }

export const maxReportedProblems = 100

export type ImportError =
  | BatchError
  | {
      code: 'invalid_file'
      problems: ImportProblem[]
      problemCount: number
      warnings: ImportProblem[]
      /** A contacts file: how many different usernames in it name no patron of the library. */
      patronsNotFound?: number
    }
  | { code: 'unreadable_file'; message: string }
  | { code: 'invalid_levels'; levels: string[] }
  /** Seed 004: deactivating patrons takes an admin; the rows that would deactivate one. */
  | { code: 'deactivation_not_allowed'; needed: StaffRole; role: StaffRole | null; problems: ImportProblem[]; problemCount: number }

/** Keeps the first problems in line order, and counts them all. */
export class ProblemList {
  readonly first: ImportProblem[] = []
  count = 0
  add(problem: ImportProblem): void {
    this.count += 1
    if (this.first.length < maxReportedProblems) this.first.push(problem)
  }
  merge(problems: ImportProblem[], total: number): void {
    this.count += total
    this.first.push(...problems)
    this.first.sort((a, b) => a.line - b.line)
    this.first.length = Math.min(this.first.length, maxReportedProblems)
  }
}

/** What refusing an import at its confirmation records on its batch: the problems found then. */
export function refusalOf(error: ImportError): { problems: ImportProblem[]; problemCount: number } | undefined {
  return error.code === 'invalid_file' ? { problems: error.problems, problemCount: error.problemCount } : undefined
}
