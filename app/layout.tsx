import type { Metadata, Viewport } from "next";
import type { ReactNode } from "react";
import { HydrationBoundary } from "@tanstack/react-query";
import { Nav } from "@/components/nav";
import { PrefixProvider } from "@/components/prefix";
import { Providers } from "@/components/providers";
import { prefetchDashboard } from "@/components/queries/server-prefetch";
import { ReadOnlyBanner } from "@/components/read-only-banner";
import { PUBLIC_PREFIX_ENV } from "@/lib/dashboard/prefix";
import "./globals.css";

// Rendered per request: the Content-Security-Policy nonce (lib/server/page-security.ts) differs every time, and
// the path prefix is chosen by flags at start, not at build time (lib/dashboard/prefix.ts).
export const dynamic = "force-dynamic";

export const metadata: Metadata = {
  title: { default: "pushboard", template: "%s · pushboard" },
  description: "Pushgateway-compatible metrics cache with a dashboard",
  // Inline, so browsers do not ask for /favicon.ico (which the Pushgateway protocol side answers with 404).
  icons: {
    icon: "data:image/svg+xml,%3Csvg xmlns='http://www.w3.org/2000/svg' viewBox='0 0 16 16'%3E%3Crect width='16' height='16' rx='3' fill='%23e6522c'/%3E%3C/svg%3E",
  },
};

export const viewport: Viewport = {
  width: "device-width",
  initialScale: 1,
  themeColor: [
    { media: "(prefers-color-scheme: light)", color: "#fafafa" },
    { media: "(prefers-color-scheme: dark)", color: "#09090b" },
  ],
};

export default async function RootLayout({ children }: { children: ReactNode }) {
  // Who is signed in and whether the store is read-only (nav, banner, delete buttons), known on first paint.
  const state = await prefetchDashboard({ kind: "status" });
  return (
    <html lang="en">
      <body className="min-h-screen font-sans">
        <a
          href="#main"
          className="sr-only focus:not-sr-only focus:absolute focus:left-2 focus:top-2 focus:z-50 focus:rounded focus:bg-white focus:px-3 focus:py-2 dark:focus:bg-zinc-900"
        >
          Skip to content
        </a>
        <PrefixProvider prefix={process.env[PUBLIC_PREFIX_ENV] ?? ""}>
          <Providers>
            <HydrationBoundary state={state}>
              {/* Inside the query client: the nav shows who is signed in (from /api/ui/status). */}
              <Nav />
              <ReadOnlyBanner />
              <main id="main" className="mx-auto w-full max-w-screen-2xl px-3 pb-12 pt-4 sm:px-6">
                {children}
              </main>
            </HydrationBoundary>
          </Providers>
        </PrefixProvider>
      </body>
    </html>
  );
}
