/** @type {import('next').NextConfig} */
module.exports = {
  poweredByHeader: false,
  reactStrictMode: true,
  // The Pushgateway grammar gives trailing slashes a meaning (`/metrics/job/j/b/` is `b=""`).
  skipTrailingSlashRedirect: true,
  // Protocol responses are compressed by lib/ itself when the client asks.
  compress: false,
  serverExternalPackages: ["better-sqlite3", "prom-client", "pg"],
};
