// Media types the protocol reads and answers: Go's mime.ParseMediaType, the delimited protobuf type, and scrape
// format negotiation as prometheus/common expfmt.Negotiate does it.
import { TEXT_CONTENT_TYPE } from "../exposition/render-text";
import { OPENMETRICS_CONTENT_TYPE } from "../exposition/render-openmetrics";

export const PROTOBUF_MEDIA = "application/vnd.google.protobuf";
const METRIC_FAMILY_PROTO = "io.prometheus.client.MetricFamily";
/** The one protobuf format pushes and scrapes use (prometheus/common expfmt FmtProtoDelim). */
export const PROTOBUF_DELIMITED = `${PROTOBUF_MEDIA}; proto=${METRIC_FAMILY_PROTO}; encoding=delimited`;

export type ScrapeFormat = "text" | "protobuf" | "openmetrics";

export const SCRAPE_CONTENT_TYPE: Record<ScrapeFormat, string> = {
  text: TEXT_CONTENT_TYPE,
  protobuf: PROTOBUF_DELIMITED,
  openmetrics: OPENMETRICS_CONTENT_TYPE,
};

/** Go's mime.ParseMediaType, reduced to what format selection needs. */
export function parseMediaType(value: string | undefined): { type: string; params: Record<string, string> } | undefined {
  if (!value) return undefined;
  const parts = value.split(";");
  const type = parts[0]!.trim().toLowerCase();
  if (!/^[!#$%&'*+\-.^_`|~0-9a-z]+\/[!#$%&'*+\-.^_`|~0-9a-z]+$/.test(type)) return undefined;
  const params: Record<string, string> = {};
  for (const p of parts.slice(1)) {
    if (p.trim() === "") continue;
    const eq = p.indexOf("=");
    if (eq < 0) return undefined;
    let v = p.slice(eq + 1).trim();
    if (v.startsWith('"') && v.endsWith('"') && v.length >= 2) v = v.slice(1, -1).replace(/\\(.)/g, "$1");
    params[p.slice(0, eq).trim().toLowerCase()] = v;
  }
  return { type, params };
}

function isDelimitedProtobufType(mt: ReturnType<typeof parseMediaType>): boolean {
  return !!mt && mt.type === PROTOBUF_MEDIA && mt.params.proto === METRIC_FAMILY_PROTO && mt.params.encoding === "delimited";
}

/** Whether a push body's Content-Type is delimited protobuf (else it is parsed as text, as the Pushgateway does). */
export function isDelimitedProtobuf(contentType: string | undefined): boolean {
  return isDelimitedProtobufType(parseMediaType(contentType));
}

/**
 * Scrape format from the Accept header, like Go's expfmt.Negotiate: delimited protobuf when asked for, else
 * text 0.0.4. OpenMetrics (which the Pushgateway never serves) only when the client asks for it and does not
 * also accept text/plain: Prometheus lists both, and keeps getting exactly what the Pushgateway sends it.
 */
export function negotiateScrapeFormat(accept: string): ScrapeFormat {
  let openMetrics = false;
  let text = false;
  for (const part of accept.split(",")) {
    const mt = parseMediaType(part.trim());
    if (!mt || mt.params.q === "0") continue;
    if (isDelimitedProtobufType(mt)) return "protobuf";
    if (mt.type === "application/openmetrics-text") openMetrics = true;
    if (mt.type === "text/plain" || mt.type === "text/*" || mt.type === "*/*") text = true;
  }
  return openMetrics && !text ? "openmetrics" : "text";
}
