import { err, ok, type Result } from '../result.ts'
import type { Actor } from '../staff/actors.ts'
import { checkPermission } from '../staff/permissions.ts'
import type { Fed, Supplier } from './circulation-view.ts'
import type { CirculationError } from './errors.ts'
import type { CirculationDeps } from './event-notices.ts'
import { inTransaction, upsertSupplier as writeSupplier } from './queries.ts'

/** Creates a supplier, or brings its name and order address up to date, by the library system's id. */
export async function upsertSupplier(
  deps: Pick<CirculationDeps, 'db' | 'clock'>,
  input: { libraryId: number; supplier: Supplier; actor: Actor },
): Promise<Result<Fed<Supplier>, CirculationError>> {
  const refused = checkPermission(input.actor, 'feedCirculation')
  if (refused) return err(refused)
  return inTransaction<Fed<Supplier>, CirculationError>(deps.db, async (tx) => {
    const result = await writeSupplier(tx, { libraryId: input.libraryId, supplier: input.supplier, now: deps.clock.now() })
    return ok({ result, record: input.supplier, notice: null })
  })
}
