import type { Db } from '../../db/database.ts'
import type { RenderNotice } from './compose.ts'

/**
 * The library's templates (its own, else the defaults), each compiled once per run, as a
 * `RenderNotice`. Until src/domain/templates/render.ts is merged, a caller passes its own.
 */
export async function loadNoticeRenderer(_db: Db, _libraryId: number): Promise<RenderNotice> {
  throw new Error('templates are not available yet: pass a render function')
}
