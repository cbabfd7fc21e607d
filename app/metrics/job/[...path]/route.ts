// Pushgateway protocol paths under `next dev` / `next start`; the pushboard server answers them itself.
export const dynamic = "force-dynamic";
export { GET, HEAD, PUT, POST, DELETE, OPTIONS, PATCH } from "@/lib/server/next-adapter";
