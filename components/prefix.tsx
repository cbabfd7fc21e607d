"use client";
// The dashboard's path prefix in the browser (lib/dashboard/prefix.ts): Next.js is built without a basePath, so
// every link, navigation and API call of the dashboard goes through these helpers to carry the prefix.
import Link from "next/link";
import { usePathname, useRouter } from "next/navigation";
import { createContext, useContext, type ComponentProps, type ReactNode } from "react";
import { setApiBase } from "./queries/api";

const PrefixContext = createContext("");

export function PrefixProvider({ prefix, children }: { prefix: string; children: ReactNode }) {
  // Before any child renders: the plain API fetchers run outside React and read it from there.
  setApiBase(prefix);
  return <PrefixContext.Provider value={prefix}>{children}</PrefixContext.Provider>;
}

/** "" or "/prefix". */
export function usePrefix(): string {
  return useContext(PrefixContext);
}

/** next/link with an app path ("/status"), rendered under the prefix. */
export function AppLink({ href, ...props }: Omit<ComponentProps<typeof Link>, "href"> & { href: string }) {
  return <Link href={usePrefix() + href} {...props} />;
}

/** The current app path, without the prefix ("/pushgateway/status" → "/status"). */
export function useAppPathname(): string {
  const prefix = usePrefix();
  const path = usePathname() ?? "/";
  if (!prefix || !path.startsWith(prefix)) return path;
  return path.slice(prefix.length) || "/";
}

/** router.push for app paths. */
export function useAppNavigate(): (href: string) => void {
  const router = useRouter();
  const prefix = usePrefix();
  return (href) => router.push(prefix + href);
}
