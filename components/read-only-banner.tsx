"use client";
// Shown on every page while the store cannot reach its database (a replicated deployment's PostgreSQL): what the
// dashboard shows is the last known state, and deletes are refused until the database is back.
import { useQuery } from "@tanstack/react-query";
import { statusOptions } from "./queries/groups";

export function ReadOnlyBanner() {
  const { data } = useQuery(statusOptions());
  const ro = data?.readOnly;
  if (!ro) return null;
  return (
    <div
      role="alert"
      data-testid="read-only-banner"
      className="border-b border-amber-300 bg-amber-50 px-4 py-2 text-sm text-amber-900 dark:border-amber-700 dark:bg-amber-950 dark:text-amber-100"
    >
      <strong>read-only:</strong> {ro.message.replace(/^database unreachable since .*$/, `database unreachable since ${new Date(ro.sinceMs).toISOString()}`)}.
      Showing the last known state; pushes and deletes are refused until the database is reachable again.
    </div>
  );
}
