import type { NotAllowed, StaffRole } from '../staff/roles.ts'

/** A problem in the file, where a spreadsheet shows it: line 14, column address. */
export type ImportProblem = { line: number; column: string; message: string }

export const maxReportedProblems = 100

export type ImportError =
  | NotAllowed
  | { code: 'import_running'; batchId: number; requestedBy: string; startedAt: Date }
  | {
      code: 'invalid_file'
      problems: ImportProblem[]
      problemCount: number
      warnings: ImportProblem[]
      /** A contacts file: how many different usernames in it name no patron of the library. */
      patronsNotFound?: number
    }
  | { code: 'unreadable_file'; message: string }
  /** Seed 004: deactivating patrons takes an admin; the rows that would deactivate one. */
  | { code: 'deactivation_not_allowed'; needed: 'admin'; role: StaffRole | null; problems: ImportProblem[]; problemCount: number }
  | { code: 'batch_not_found'; batchId: number }
  | { code: 'batch_not_ready'; batchId: number; status: string }
  | { code: 'invalid_levels'; levels: string[] }

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
