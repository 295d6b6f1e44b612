/**
 * Runs inputs in batches, at most `maxRunning` batches at a time: those that arrive while the
 * batches commit wait and go together in the next. A commit costs a disk flush (milliseconds);
 * statements cost a fraction of that, so many events per commit keep up with a burst of SNS
 * deliveries, and a second batch building while the first commits keeps the wait short. A batch
 * that fails is run again one input at a time, so one bad input fails alone.
 */
export function commitTogether<I, O>(options: {
  runBatch: (inputs: I[]) => Promise<O[]>
  runOne: (input: I) => Promise<O>
  maxBatch: number
  maxRunning: number
}) {
  type Waiting = { input: I; resolve: (output: O) => void; reject: (error: unknown) => void }
  let waiting: Waiting[] = []
  let running = 0

  async function drain() {
    running += 1
    while (waiting.length > 0) {
      const batch = waiting.slice(0, options.maxBatch)
      waiting = waiting.slice(batch.length)
      try {
        const outputs = await options.runBatch(batch.map((w) => w.input))
        for (const [index, w] of batch.entries()) w.resolve(outputs[index])
      } catch (error) {
        if (batch.length === 1) batch[0].reject(error)
        else for (const w of batch) await options.runOne(w.input).then(w.resolve, w.reject)
      }
    }
    running -= 1
  }

  return (input: I): Promise<O> =>
    new Promise<O>((resolve, reject) => {
      waiting.push({ input, resolve, reject })
      if (running < options.maxRunning) void drain()
    })
}
