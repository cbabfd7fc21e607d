"use client";
import { PageError } from "@/components/page-error";

export default function ErrorPage({ error, reset }: { error: Error & { digest?: string }; reset: () => void }) {
  return <PageError what="the activity" error={error} reset={reset} />;
}
