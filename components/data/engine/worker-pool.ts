/** A tiny work queue: N workers, first error stops the others from taking new work. */

export async function runPool<T, W>(
  items: T[],
  workers: W[],
  work: (item: T, worker: W) => Promise<void>,
  onFirstError?: (err: unknown) => void,
): Promise<void> {
  let next = 0;
  let firstError: unknown;
  let failed = false;
  await Promise.all(
    workers.map(async (w) => {
      while (!failed && next < items.length) {
        const item = items[next++];
        try {
          await work(item, w);
        } catch (err) {
          if (!failed) {
            failed = true;
            firstError = err;
            onFirstError?.(err);
          }
        }
      }
    }),
  );
  if (failed) throw firstError;
}

/** Retries `f` when PostgreSQL reports a deadlock (two parallel DDL statements locking the same tables). */
export async function retryOnDeadlock<T>(f: () => Promise<T>, attempts = 6): Promise<T> {
  for (let i = 1; ; i++) {
    try {
      return await f();
    } catch (err) {
      const code = (err as { code?: string }).code;
      if ((code !== "40P01" && code !== "40001") || i >= attempts) throw err;
      await new Promise((r) => setTimeout(r, 50 * i + Math.random() * 100));
    }
  }
}
