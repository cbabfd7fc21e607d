/** @type {import('next').NextConfig} */
module.exports = {
  poweredByHeader: false,
  reactStrictMode: true,
  // The Pushgateway grammar gives trailing slashes a meaning (`/metrics/job/j/b/` is `b=""`).
  skipTrailingSlashRedirect: true,
  // Protocol responses are compressed by lib/ itself when the client asks.
  compress: false,
  // Under --web.route-prefix / --web.external-url the pushboard server sets this at start (Next.js reads this
  // file again when it starts), so pages load their assets under the prefix; see lib/dashboard/prefix.ts.
  assetPrefix: process.env.PUSHBOARD_PUBLIC_PREFIX || undefined,
  serverExternalPackages: ["better-sqlite3", "prom-client", "pg"],
};
