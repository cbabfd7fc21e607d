// Constants of the dashboard's JSON API (app/api/ui/*) that both ends need: the protocol router hands these paths
// to Next.js and the server parses list parameters with them; the browser fetchers (components/queries/api.ts)
// build their requests with them. Plain values only, so the browser bundle imports nothing else of lib/.
export const UI_API_PATH = "/api/ui";

/** Rows per page of the groups list when the request names no size. */
export const DEFAULT_PAGE_SIZE = 50;
