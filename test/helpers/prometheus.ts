// Querying a real Prometheus started by a test.

export async function queryPrometheus<S>(port: number, q: string): Promise<S[]> {
  const r = await fetch(`http://127.0.0.1:${port}/api/v1/query?query=${encodeURIComponent(q)}`);
  const j = (await r.json()) as { status: string; data?: { result: S[] }; error?: string };
  if (j.status !== "success") throw new Error(`query ${q}: ${j.error}`);
  return j.data!.result;
}

/** Polls the query until check() accepts its result or the deadline passes (bounded); returns the last result. */
export async function pollPrometheus<S>(port: number, q: string, check: (r: S[]) => boolean, timeoutMs = 30_000, intervalMs = 250): Promise<S[]> {
  const deadline = Date.now() + timeoutMs;
  let last: S[] = [];
  while (Date.now() < deadline) {
    try {
      last = await queryPrometheus<S>(port, q);
      if (check(last)) return last;
    } catch {
      /* Prometheus still starting */
    }
    await new Promise((r) => setTimeout(r, intervalMs));
  }
  return last;
}
