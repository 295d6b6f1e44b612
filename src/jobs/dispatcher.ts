import { type DispatchSettings, dispatchDueMessages } from '../domain/notices/dispatch.ts'

export type Dispatcher = {
  /** Looks for due messages now instead of at the next tick (a notice was just queued). */
  wake(): void
  /** Finishes the email being sent, hands the rest of its batch back, and stops. */
  stop(): Promise<void>
}

/**
 * Sends the outbox in the background: a batch at a time, the next at once while batches come
 * full, otherwise every `intervalMs`. One batch at a time per instance; several instances share
 * the work through their claims, and with `sendPace` (SES) the account's rate, held across all
 * instances together in the database.
 */
export function startDispatcher(
  deps: Parameters<typeof dispatchDueMessages>[0],
  options: Partial<DispatchSettings> & { intervalMs?: number } = {},
): Dispatcher {
  const { intervalMs = 5_000, ...settings } = options
  const batchSize = settings.batchSize ?? 20
  let stopping = false
  let timer: NodeJS.Timeout | undefined
  let running: Promise<void> | undefined
  // Woken while a batch ran: look again as soon as it ends.
  let woken = false

  const schedule = (delayMs: number) => {
    if (stopping) return
    clearTimeout(timer)
    timer = setTimeout(tick, delayMs)
    // The service stays up for its HTTP server; this timer alone holds nothing open.
    timer.unref()
  }

  function tick() {
    if (running || stopping) return
    running = (async () => {
      let full = false
      try {
        const round = await dispatchDueMessages(deps, { ...settings, batchSize, shouldStop: () => stopping })
        full = round.claimed >= batchSize
      } catch (error) {
        // The database is down or restarting: the messages wait in the outbox; try again later.
        deps.logger.error({ err: error }, 'could not dispatch queued messages')
      } finally {
        running = undefined
      }
      schedule(full || woken ? 0 : intervalMs)
      woken = false
    })()
  }

  schedule(0)
  return {
    wake() {
      if (running) woken = true
      else schedule(0)
    },
    async stop() {
      stopping = true
      clearTimeout(timer)
      await running
    },
  }
}
