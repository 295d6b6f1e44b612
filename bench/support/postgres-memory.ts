import { readFile } from 'node:fs/promises'
import path from 'node:path'
import { setTimeout as sleep } from 'node:timers/promises'

/** The peak of what the embedded PostgreSQL's processes used together while it was sampled. */
export type PostgresMemory = { peakPssMb: number; peakProcesses: number; samples: number }

/**
 * Samples the memory of the embedded PostgreSQL running in `dataDir` (whichever process started
 * it) until stopped: the postmaster named by pgdata/postmaster.pid and all its child processes
 * (backends, checkpointer, WAL writer…), as the sum of their proportional set sizes (PSS, from
 * /proc/<pid>/smaps_rollup), so that the shared buffers every process maps count once. Linux only;
 * no samples elsewhere, or while no server runs.
 */
export function samplePostgresMemory(dataDir: string, intervalMs = 100): { stop(): Promise<PostgresMemory> } {
  const pidFile = path.join(path.resolve(dataDir), 'pgdata', 'postmaster.pid')
  const peak: PostgresMemory = { peakPssMb: 0, peakProcesses: 0, samples: 0 }
  const stopping = new AbortController()
  const sampling = (async () => {
    while (!stopping.signal.aborted) {
      const sample = await sampleOnce(pidFile)
      if (sample !== undefined) {
        peak.samples += 1
        if (sample.pssKb * 1024 > peak.peakPssMb * 1e6) {
          peak.peakPssMb = (sample.pssKb * 1024) / 1e6
          peak.peakProcesses = sample.processes
        }
      }
      // Unreferenced, so never what keeps the bench's process alive should a benchmark fail
      // before stopping it; stopping cuts the wait short.
      await sleep(intervalMs, undefined, { ref: false, signal: stopping.signal }).catch(() => {})
    }
  })()
  return {
    async stop() {
      stopping.abort()
      await sampling
      return peak
    },
  }
}

async function sampleOnce(pidFile: string): Promise<{ pssKb: number; processes: number } | undefined> {
  const postmaster = Number.parseInt((await readFile(pidFile, 'utf8').catch(() => '')).split('\n')[0] ?? '', 10)
  if (!Number.isInteger(postmaster) || postmaster <= 0) return undefined
  const children = await readFile(`/proc/${postmaster}/task/${postmaster}/children`, 'utf8').catch(() => undefined)
  if (children === undefined) return undefined
  const pids = [postmaster, ...children.split(' ').filter(Boolean).map(Number)]
  let pssKb = 0
  let processes = 0
  for (const pid of pids) {
    // A backend may end between the list and its read: it then holds nothing.
    const rollup = await readFile(`/proc/${pid}/smaps_rollup`, 'utf8').catch(() => '')
    const pss = /^Pss:\s+(\d+) kB/m.exec(rollup)
    if (!pss) continue
    pssKb += Number(pss[1])
    processes += 1
  }
  return processes > 0 ? { pssKb, processes } : undefined
}
