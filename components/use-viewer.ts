"use client";
// Who is signed in and what their roles allow, from /api/ui/status. Until the status is known, everything is
// shown: the server refuses what the role cannot do anyway (lib/server/authorization.ts), hiding is a courtesy.
import { useQuery } from "@tanstack/react-query";
import { statusOptions } from "./queries/groups";

export function useViewer(): { user?: string; roles?: string[]; canDelete: boolean } {
  const { data } = useQuery(statusOptions());
  // Every dashboard delete (and the wipe) is a POST to /api/ui/*, which needs the admin role.
  return { user: data?.user, roles: data?.roles, canDelete: !data || data.roles.includes("admin") };
}
