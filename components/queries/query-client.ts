// One QueryClient factory for both sides (the TanStack Query App Router examples' get-query-client.ts): a new
// client for every server render, so no request sees another's data, and one client per browser tab.
import { QueryClient } from "@tanstack/react-query";

function makeQueryClient(): QueryClient {
  return new QueryClient({
    defaultOptions: {
      // Above 0, so data prefetched on the server is not fetched again the moment the page hydrates; polling
      // (refetchInterval in each resource's queryOptions) keeps it current.
      queries: { staleTime: 1000, retry: 1, refetchOnWindowFocus: true },
    },
  });
}

let browserClient: QueryClient | undefined;

export function getQueryClient(): QueryClient {
  if (typeof window === "undefined") return makeQueryClient();
  return (browserClient ??= makeQueryClient());
}
