import { AppLink as Link } from "@/components/prefix";

export default function NotFound() {
  return (
    <div className="card mx-auto mt-8 max-w-lg p-8 text-center">
      <h1 className="text-lg font-semibold">Not found</h1>
      <p className="mt-2 text-sm text-zinc-600 dark:text-zinc-400">There is no dashboard page or group at this address: a group may have been deleted.</p>
      <Link href="/" className="mt-4 inline-block text-brand underline">
        ← Back to groups
      </Link>
    </div>
  );
}
