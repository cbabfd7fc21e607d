"use client";
import { useState } from "react";

async function copyText(text: string): Promise<void> {
  if (navigator.clipboard && window.isSecureContext) return navigator.clipboard.writeText(text);
  // Plain-HTTP deployments (no Clipboard API): the old selection-based way.
  const ta = document.createElement("textarea");
  ta.value = text;
  ta.setAttribute("readonly", "");
  ta.style.position = "fixed";
  ta.style.opacity = "0";
  document.body.appendChild(ta);
  ta.select();
  try {
    if (!document.execCommand("copy")) throw new Error("copy refused");
  } finally {
    ta.remove();
  }
}

export function CopyButton({ text, label = "Copy", what }: { text: string; label?: string; what: string }) {
  const [state, setState] = useState<"idle" | "ok" | "err">("idle");
  return (
    <button
      type="button"
      className="btn btn-sm"
      aria-label={`${label} ${what}`}
      onClick={() => {
        copyText(text).then(
          () => setState("ok"),
          () => setState("err"),
        );
        setTimeout(() => setState("idle"), 2000);
      }}
    >
      {state === "ok" ? "Copied" : state === "err" ? "Copy failed" : label}
      <span className="sr-only" aria-live="polite">
        {state === "ok" ? `${what} copied` : ""}
      </span>
    </button>
  );
}
