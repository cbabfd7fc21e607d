// Where the dashboard's JSON API lives (app/api/ui/*): the protocol router hands these paths to Next.js, the
// browser fetchers (components/queries/api.ts) call them.
export const UI_API_PATH = "/api/ui";
