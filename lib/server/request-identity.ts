// Request headers through which the pushboard server tells the dashboard's route handlers (which run inside
// Next.js and see only a web Request) who sent a request: the client's address, the authenticated user and the
// roles it holds (comma-separated, see authorization.ts). The
// server deletes any client-sent value of these headers before setting its own, so they cannot be forged. The
// user name is percent-encoded (encodeURIComponent): a header value carries Latin-1 only.
export const CLIENT_ADDRESS_HEADER = "x-pushboard-client-address";
export const USER_HEADER = "x-pushboard-user";
export const ROLES_HEADER = "x-pushboard-roles";
