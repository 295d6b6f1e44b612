import { setTimeout as sleep } from 'node:timers/promises'
import { sql } from 'kysely'
import type { Db } from '../../db/database.ts'

/** Waits, without spinning, until this instance may send one email. */
export type SendPace = { waitForTurn(): Promise<void> }

/**
 * Takes one send from the rate bucket `name`, shared by every instance on the database, and says
 * how many milliseconds to wait before sending. The bucket refills at `ratePerSecond` and holds at
 * most `capacity` tokens (1.5: a slot missed because both instances were busy is half made up,
 * never a burst); a taker that finds it empty reserves the next free slot (the tokens go below
 * zero) and waits for it. So in any one second at most `capacity + ratePerSecond` sends start
 * across all instances together. One statement, committed at once: the row lock serializes takers
 * for a few microseconds. Time is the database server's (clock_timestamp(), read after the lock is
 * taken), so instances whose clocks differ still agree.
 */
export async function takeSendToken(db: Db, input: { name: string; ratePerSecond: number; capacity?: number }): Promise<number> {
  const rate = input.ratePerSecond
  const capacity = input.capacity ?? 1.5
  const { rows } = await sql<{ tokens: number }>`
    insert into send_rate as r (name, tokens, refilled_at) values (${input.name}, ${capacity - 1}::float8, clock_timestamp())
    on conflict (name) do update
       set tokens = least(${capacity}::float8, r.tokens + ${rate}::float8 * extract(epoch from clock_timestamp() - r.refilled_at)::float8) - 1,
           refilled_at = clock_timestamp()
    returning tokens`.execute(db)
  const tokens = Number(rows[0].tokens)
  return tokens >= 0 ? 0 : (-tokens / rate) * 1000
}

/**
 * The pace of the SES account for this instance: before each send, a token from the shared bucket,
 * then a wait for its slot. `headroom` (a fraction, 5 % by default) is kept below the rate: a send
 * reaches SES a few milliseconds after its slot, and those milliseconds vary; spacing the slots a
 * little wider (at 50/s: 47.5 slots and the bucket's 1.5 make 49 in any second, and a 51st needs
 * 40 ms of delay more for one send than for another) means SES does not see more than the rate in
 * any one second even so.
 */
export function createSendPace(db: Db, input: { name: string; ratePerSecond: number; headroom?: number }): SendPace {
  const ratePerSecond = input.ratePerSecond * (1 - (input.headroom ?? 0.05))
  return {
    async waitForTurn() {
      const waitMs = await takeSendToken(db, { name: input.name, ratePerSecond })
      if (waitMs > 0) await sleep(waitMs)
    },
  }
}
