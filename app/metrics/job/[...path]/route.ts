// Pushgateway protocol paths under `next dev` / `next start`; the pushboard server answers them itself.
import { handleProtocolRequest } from "@/lib/server/next-adapter";

export const dynamic = "force-dynamic";
export const GET = handleProtocolRequest;
export const HEAD = handleProtocolRequest;
export const PUT = handleProtocolRequest;
export const POST = handleProtocolRequest;
export const DELETE = handleProtocolRequest;
export const OPTIONS = handleProtocolRequest;
export const PATCH = handleProtocolRequest;
