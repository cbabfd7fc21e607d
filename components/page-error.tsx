"use client";
// What a route's error.tsx shows when its server render or a client component throws: the message, and a retry
// that re-renders the segment (the data is fetched again).
import { useEffect } from "react";

export function PageError({ what, error, reset }: { what: string; error: Error & { digest?: string }; reset: () => void }) {
  useEffect(() => {
    console.error(error);
  }, [error]);
  return (
    <div role="alert" data-testid="page-error" className="card mx-auto mt-8 max-w-lg p-8 text-center">
      <h1 className="text-lg font-semibold">Could not show {what}</h1>
      <p className="mt-2 break-words text-sm text-zinc-600 dark:text-zinc-300">{error.digest ? `Server error (digest ${error.digest}).` : error.message}</p>
      <button type="button" className="btn mt-4" onClick={() => reset()}>
        Try again
      </button>
    </div>
  );
}
