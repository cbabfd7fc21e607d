// What a route's loading.tsx shows while its server render is under way (a server component: no JavaScript).
export function PageLoading({ what }: { what: string }) {
  return (
    <div role="status" aria-live="polite" data-testid="page-loading" className="card p-8 text-center text-sm text-zinc-600 dark:text-zinc-300">
      Loading {what}…
    </div>
  );
}
