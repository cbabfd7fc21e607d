"use client";
import { AppLink as Link, useAppPathname } from "./prefix";
import { useViewer } from "./use-viewer";

const LINKS = [
  { href: "/jobs", label: "Jobs" },
  { href: "/", label: "Groups" },
  { href: "/expiries", label: "Expiries" },
  { href: "/activity", label: "Activity" },
  { href: "/status", label: "Status" },
];

export function Nav() {
  const path = useAppPathname();
  const viewer = useViewer();
  // Shown when someone is signed in or access is scoped (full access without basic auth says nothing new).
  const showViewer = !!viewer.roles && (viewer.user !== undefined || viewer.roles.length < 3);
  return (
    <header className="border-b border-zinc-200 bg-white dark:border-zinc-800 dark:bg-zinc-900">
      <nav aria-label="Main" className="mx-auto flex max-w-screen-2xl flex-wrap items-center gap-1 px-3 py-2 sm:px-6">
        <Link href="/" className="mr-4 flex items-center gap-2 text-lg font-semibold tracking-tight">
          <span aria-hidden="true" className="inline-block h-3 w-3 rounded-sm bg-brand" />
          pushboard
        </Link>
        {LINKS.map((l) => {
          const active = l.href === "/" ? path === "/" || path.startsWith("/groups") : path.startsWith(l.href);
          return (
            <Link
              key={l.href}
              href={l.href}
              aria-current={active ? "page" : undefined}
              className={`rounded-md px-2 py-1.5 text-sm font-medium sm:px-3 ${
                active
                  ? "bg-zinc-100 text-zinc-900 dark:bg-zinc-800 dark:text-white"
                  : "text-zinc-700 hover:text-zinc-900 dark:text-zinc-300 dark:hover:text-white"
              }`}
            >
              {l.label}
            </Link>
          );
        })}
        {showViewer && (
          <span className="ml-auto text-sm text-zinc-700 dark:text-zinc-300" data-testid="signed-in">
            {viewer.user !== undefined ? (
              <>
                signed in as <strong className="font-medium text-zinc-900 dark:text-white">{viewer.user}</strong>
              </>
            ) : (
              "anonymous"
            )}{" "}
            ({viewer.roles!.length > 0 ? viewer.roles!.join(", ") : "no roles"})
          </span>
        )}
        <a
          href="https://github.com/prometheus/pushgateway/blob/master/README.md"
          className={`${showViewer ? "ml-4" : "ml-auto"} text-sm text-zinc-700 hover:text-zinc-900 dark:text-zinc-300 dark:hover:text-white`}
          rel="noreferrer"
        >
          Help
        </a>
      </nav>
    </header>
  );
}
