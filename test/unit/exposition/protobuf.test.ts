import { readFileSync } from "node:fs";
import path from "node:path";
import { describe, expect, it } from "vitest";
import { METRICS_PROTO, MetricFamilyType, metricsRoot } from "../../../lib/exposition/metrics-schema";
import type { MetricFamily } from "../../../lib/exposition/model";
import { decodeDelimitedFamilies, decodeMetricFamily, ProtobufDecodeError } from "../../../lib/exposition/parse-protobuf";
import { encodeDelimitedFamilies } from "../../../lib/exposition/render-protobuf";
import { fieldKey, varint } from "../../helpers/proto-wire";

// ---- a tiny independent wire encoder, so decoding is not only checked against protobufjs' encoder ----------

const tag = fieldKey;
const ld = (field: number, bytes: number[]) => [...tag(field, 2), ...varint(bytes.length), ...bytes];
const str = (field: number, s: string) => ld(field, [...Buffer.from(s, "utf8")]);
const vint = (field: number, n: number | bigint) => [...tag(field, 0), ...varint(n)];
const zigzag = (n: number) => (n >= 0 ? BigInt(n) * 2n : -BigInt(n) * 2n - 1n);
function dbl(field: number, x: number): number[] {
  const b = Buffer.alloc(8);
  b.writeDoubleLE(x);
  return [...tag(field, 1), ...b];
}
const delimited = (...msgs: number[][]) => Uint8Array.from(msgs.flatMap((m) => [...varint(m.length), ...m]));

const label = (name: string, value: string) => ld(1, [...str(1, name), ...str(2, value)]);

function expectDecodeError(bytes: Uint8Array, message: string | RegExp): void {
  let err: unknown;
  try {
    decodeDelimitedFamilies(bytes);
  } catch (e) {
    err = e;
  }
  expect(err).toBeInstanceOf(ProtobufDecodeError);
  expect(err).toBeInstanceOf(Error);
  if (typeof message === "string") expect((err as Error).message).toBe(message);
  else expect((err as Error).message).toMatch(message);
}

// ---- fixtures ------------------------------------------------------------------------------------------

const nativeHistogram: MetricFamily = {
  name: "rpc_latency_seconds",
  help: "RPC latency.",
  type: "HISTOGRAM",
  metric: [
    {
      label: [{ name: "job", value: "j" }],
      histogram: {
        sampleCount: 12,
        sampleSum: 3.75,
        bucket: [],
        createdTimestampMs: 1700000000123,
        schema: 3,
        zeroThreshold: 2.938735877055719e-39,
        zeroCount: 2,
        negativeSpan: [{ offset: -2, length: 1 }],
        negativeDelta: [1],
        positiveSpan: [
          { offset: -3, length: 2 },
          { offset: 4, length: 3 },
        ],
        positiveDelta: [1, 2, -1, -2, 3],
        exemplars: [
          { label: [{ name: "trace_id", value: "abc" }], value: 0.042, timestampMs: 1700000001500 },
          { label: [], value: -1.5, timestampMs: -1234 },
        ],
      },
    },
  ],
};

const floatHistogram: MetricFamily = {
  name: "float_hist",
  help: "",
  type: "GAUGE_HISTOGRAM",
  metric: [
    {
      label: [],
      histogram: {
        sampleCount: 0,
        sampleCountFloat: 10.5,
        sampleSum: -4.25,
        bucket: [
          { cumulativeCount: 0, cumulativeCountFloat: 1.5, upperBound: 0.5 },
          {
            cumulativeCount: 0,
            cumulativeCountFloat: 10.5,
            upperBound: Infinity,
            exemplar: { label: [{ name: "id", value: "x" }], value: 7 },
          },
        ],
        schema: -4,
        zeroThreshold: 0.001,
        zeroCountFloat: 0.5,
        positiveSpan: [{ offset: 0, length: 2 }],
        positiveCount: [3.25, 5.75],
        negativeSpan: [{ offset: 1, length: 1 }],
        negativeCount: [1],
      },
    },
  ],
};

const assorted: MetricFamily[] = [
  {
    name: "requests_total",
    help: 'Requests.\nWith \\ and "quotes" and ünïcödé',
    type: "COUNTER",
    metric: [
      {
        label: [
          { name: "code", value: "200" },
          { name: "instance", value: "" },
        ],
        counter: {
          value: 1027,
          exemplar: { label: [{ name: "trace_id", value: "t1" }], value: 1, timestampMs: 1520879607789 },
          createdTimestampMs: 1520872607123,
        },
      },
      { label: [{ name: "code", value: "500" }], counter: { value: 0 } },
    ],
  },
  {
    name: "temperature",
    help: "",
    type: "GAUGE",
    metric: [
      { label: [], gauge: { value: -0.5 } },
      { label: [{ name: "a", value: "b" }], gauge: { value: NaN } },
      { label: [{ name: "a", value: "c" }], gauge: { value: -Infinity } },
    ],
  },
  {
    name: "rpc_duration_seconds",
    help: "RPC durations.",
    type: "SUMMARY",
    metric: [
      {
        label: [],
        summary: {
          sampleCount: 2 ** 40 + 3,
          sampleSum: 1.7560473e7,
          quantile: [
            { quantile: 0.5, value: 4773 },
            { quantile: 0.99, value: 76656 },
          ],
          createdTimestampMs: 1000,
        },
      },
    ],
  },
  { name: "raw", help: "h", type: "UNTYPED", metric: [{ label: [], untyped: { value: 1e300 }, timestampMs: -5 }] },
  {
    name: "classic",
    help: "",
    type: "HISTOGRAM",
    metric: [
      {
        label: [{ name: "le_like", value: "x" }],
        histogram: {
          sampleCount: 4,
          sampleSum: 2.5,
          bucket: [
            { cumulativeCount: 1, upperBound: 0.1 },
            {
              cumulativeCount: 3,
              upperBound: 1,
              exemplar: { label: [{ name: "trace_id", value: "q" }], value: 0.7 },
            },
          ],
        },
      },
    ],
  },
  { name: "bad name", help: "", type: "GAUGE", metric: [{ label: [{ name: "bad-label", value: "v" }], gauge: { value: 1 } }] },
];

// ---- tests ---------------------------------------------------------------------------------------------

describe("metrics schema", () => {
  it("the TS constant equals lib/exposition/metrics.proto", () => {
    const file = readFileSync(path.join(__dirname, "../../../lib/exposition/metrics.proto"), "utf8");
    expect(METRICS_PROTO).toBe(file);
  });

  it("has the native histogram, exemplar and created-timestamp fields with the official numbers", () => {
    const h = metricsRoot.lookupType("io.prometheus.client.Histogram");
    const ids = Object.fromEntries(h.fieldsArray.map((f) => [f.name, f.id]));
    expect(ids).toEqual({
      sampleCount: 1,
      sampleCountFloat: 4,
      sampleSum: 2,
      bucket: 3,
      createdTimestamp: 15,
      schema: 5,
      zeroThreshold: 6,
      zeroCount: 7,
      zeroCountFloat: 8,
      negativeSpan: 9,
      negativeDelta: 10,
      negativeCount: 11,
      positiveSpan: 12,
      positiveDelta: 13,
      positiveCount: 14,
      exemplars: 16,
    });
    expect(metricsRoot.lookupEnum("io.prometheus.client.MetricType").values).toEqual({
      COUNTER: 0,
      GAUGE: 1,
      SUMMARY: 2,
      UNTYPED: 3,
      HISTOGRAM: 4,
      GAUGE_HISTOGRAM: 5,
    });
    expect(MetricFamilyType.fields.unit?.id).toBe(5);
  });
});

describe("encodeDelimitedFamilies / decodeDelimitedFamilies round trip", () => {
  it("is lossless for every metric type, exemplars and created timestamps", () => {
    expect(decodeDelimitedFamilies(encodeDelimitedFamilies(assorted))).toEqual(assorted);
  });

  it("is lossless for native histograms with spans and deltas", () => {
    expect(decodeDelimitedFamilies(encodeDelimitedFamilies([nativeHistogram]))).toEqual([nativeHistogram]);
  });

  it("is lossless for float histograms (float counts, gauge histogram)", () => {
    expect(decodeDelimitedFamilies(encodeDelimitedFamilies([floatHistogram]))).toEqual([floatHistogram]);
  });

  it("keeps signed zero and NaN", () => {
    const [f] = decodeDelimitedFamilies(encodeDelimitedFamilies([{ name: "z", help: "", type: "GAUGE", metric: [{ label: [], gauge: { value: -0 } }] }]));
    expect(Object.is(f!.metric[0]!.gauge!.value, -0)).toBe(true);
  });

  it("encodes nothing for no families and decodes an empty body to []", () => {
    expect(encodeDelimitedFamilies([]).length).toBe(0);
    expect(decodeDelimitedFamilies(new Uint8Array())).toEqual([]);
  });

  it("writes what is stored: no +Inf bucket is added", () => {
    const [f] = decodeDelimitedFamilies(encodeDelimitedFamilies([assorted[4]!]));
    expect(f!.metric[0]!.histogram!.bucket.map((b) => b.upperBound)).toEqual([0.1, 1]);
  });

  it("produces bytes that the independent hand encoding describes", () => {
    const bytes = encodeDelimitedFamilies([{ name: "g", help: "", type: "GAUGE", metric: [{ label: [{ name: "a", value: "b" }], gauge: { value: 2 } }] }]);
    const msg = [...str(1, "g"), ...vint(3, 1), ...ld(4, [...label("a", "b"), ...ld(2, dbl(1, 2))])];
    expect([...bytes]).toEqual([...delimited(msg)]);
  });
});

describe("decodeDelimitedFamilies: Go semantics", () => {
  it("decodes a hand-encoded stream of several families", () => {
    const counter = [...str(1, "c_total"), ...str(2, "help me"), ...vint(3, 0), ...ld(4, [...label("x", "1"), ...ld(3, dbl(1, 5))])];
    const summary = [...str(1, "s"), ...vint(3, 2), ...ld(4, ld(4, [...vint(1, 7), ...dbl(2, 3), ...ld(3, [...dbl(1, 0.5), ...dbl(2, 0.2)])]))];
    expect(decodeDelimitedFamilies(delimited(counter, summary))).toEqual([
      { name: "c_total", help: "help me", type: "COUNTER", metric: [{ label: [{ name: "x", value: "1" }], counter: { value: 5 } }] },
      {
        name: "s",
        help: "",
        type: "SUMMARY",
        metric: [{ label: [], summary: { sampleCount: 7, sampleSum: 3, quantile: [{ quantile: 0.5, value: 0.2 }] } }],
      },
    ]);
  });

  it("lets the last family of a name win", () => {
    const a = [...str(1, "dup"), ...vint(3, 1), ...ld(4, ld(2, dbl(1, 1)))];
    const b = [...str(1, "other"), ...vint(3, 1), ...ld(4, ld(2, dbl(1, 9)))];
    const c = [...str(1, "dup"), ...str(2, "second"), ...vint(3, 3), ...ld(4, ld(5, dbl(1, 2)))];
    const out = decodeDelimitedFamilies(delimited(a, b, c));
    expect(out.map((f) => f.name).sort()).toEqual(["dup", "other"]);
    expect(out.find((f) => f.name === "dup")).toEqual({
      name: "dup",
      help: "second",
      type: "UNTYPED",
      metric: [{ label: [], untyped: { value: 2 } }],
    });
  });

  it("reads an unset type as COUNTER (Go's GetType()) and a missing help as empty", () => {
    const [f] = decodeDelimitedFamilies(delimited([...str(1, "m"), ...ld(4, ld(3, dbl(1, 1)))]));
    expect(f).toEqual({ name: "m", help: "", type: "COUNTER", metric: [{ label: [], counter: { value: 1 } }] });
  });

  it("drops an unknown MetricType number (proto2 enums are closed), so the type stays COUNTER", () => {
    expect(decodeDelimitedFamilies(delimited([...str(1, "m"), ...vint(3, 9)]))[0]!.type).toBe("COUNTER");
    expect(decodeDelimitedFamilies(delimited([...str(1, "m"), ...vint(3, 1), ...vint(3, 9)]))[0]!.type).toBe("GAUGE");
    expect(decodeDelimitedFamilies(delimited([...str(1, "m"), ...vint(3, 5)]))[0]!.type).toBe("GAUGE_HISTOGRAM");
  });

  it("does not validate metric or label names and keeps timestamps for the caller to reject", () => {
    const msg = [...str(1, "bad name"), ...vint(3, 1), ...ld(4, [...label("bad-label", "v"), ...ld(2, dbl(1, 1)), ...vint(6, 1000)])];
    expect(decodeDelimitedFamilies(delimited(msg))).toEqual([
      {
        name: "bad name",
        help: "",
        type: "GAUGE",
        metric: [{ label: [{ name: "bad-label", value: "v" }], gauge: { value: 1 }, timestampMs: 1000 }],
      },
    ]);
  });

  it("decodes negative int64 timestamps, large uint64 counts and zigzag deltas", () => {
    const hist = ld(7, [
      ...vint(1, 2n ** 53n),
      ...vint(5, zigzag(-4)),
      ...ld(12, [...vint(1, zigzag(-3)), ...vint(2, 2)]),
      ...ld(13, [...varint(zigzag(5)), ...varint(zigzag(-2))]), // packed sint64
      ...vint(13, zigzag(-1)), // and one unpacked element
    ]);
    const msg = [...str(1, "h"), ...vint(3, 4), ...ld(4, [...hist, ...vint(6, -1700000000000)])];
    const m = decodeDelimitedFamilies(delimited(msg))[0]!.metric[0]!;
    expect(m.timestampMs).toBe(-1700000000000);
    expect(m.histogram).toEqual({
      sampleCount: 2 ** 53,
      sampleSum: 0,
      bucket: [],
      schema: -4,
      positiveSpan: [{ offset: -3, length: 2 }],
      positiveDelta: [5, -2, -1],
    });
  });

  it("decodes google.protobuf.Timestamp with nanos into fractional milliseconds", () => {
    const exemplar = ld(2, [...label("t", "1"), ...dbl(2, 3), ...ld(3, [...vint(1, 1700000000), ...vint(2, 250_000_000)])]);
    const msg = [...str(1, "c_total"), ...ld(4, ld(3, [...dbl(1, 1), ...exemplar]))];
    const c = decodeDelimitedFamilies(delimited(msg))[0]!.metric[0]!.counter!;
    expect(c.exemplar).toEqual({ label: [{ name: "t", value: "1" }], value: 3, timestampMs: 1700000000250 });
  });

  it("skips unknown fields (all skippable wire types) and known fields with the wrong wire type, like Go", () => {
    const group = [...tag(20, 3), ...vint(1, 5), ...tag(2, 3), ...tag(2, 4), ...tag(20, 4)];
    const msg = [
      ...vint(99, 12345),
      ...tag(98, 1),
      1,
      2,
      3,
      4,
      5,
      6,
      7,
      8,
      ...tag(97, 5),
      1,
      2,
      3,
      4,
      ...str(96, "ignored"),
      ...group,
      ...vint(1, 7), // name with varint wire type: ignored
      ...str(1, "ok"),
      ...str(5, "seconds"), // unit: not in the model
      ...vint(3, 1),
      ...ld(4, [...ld(2, [...vint(1, 3), ...dbl(1, 4)])]), // gauge.value as varint is skipped, then set
    ];
    expect(decodeDelimitedFamilies(delimited(msg))).toEqual([{ name: "ok", help: "", type: "GAUGE", metric: [{ label: [], gauge: { value: 4 } }] }]);
  });

  it("merges a singular message field that occurs twice, as Go does", () => {
    const metric = [...ld(7, [...vint(1, 3), ...ld(3, [...vint(1, 1), ...dbl(2, 1)])]), ...ld(7, [...dbl(2, 9.5)])];
    const msg = [...str(1, "h"), ...vint(3, 4), ...ld(4, metric)];
    expect(decodeDelimitedFamilies(delimited(msg))[0]!.metric[0]!.histogram).toEqual({
      sampleCount: 3,
      sampleSum: 9.5,
      bucket: [{ cumulativeCount: 1, upperBound: 1 }],
    });
  });

  it('accepts a zero-length message as a family named ""', () => {
    expect(decodeDelimitedFamilies(Uint8Array.of(0))).toEqual([{ name: "", help: "", type: "COUNTER", metric: [] }]);
  });

  it("decodeMetricFamily decodes a single undelimited message", () => {
    expect(decodeMetricFamily(Uint8Array.from([...str(1, "x"), ...vint(3, 1)]))).toEqual({
      name: "x",
      help: "",
      type: "GAUGE",
      metric: [],
    });
  });
});

describe("decodeDelimitedFamilies: malformed input", () => {
  it("rejects wire type 7 and 6", () => {
    expectDecodeError(delimited([...str(1, "a"), ...tag(10, 7)]), "proto: can't skip unknown wire type 7");
    expectDecodeError(delimited([...tag(10, 6)]), "proto: can't skip unknown wire type 6");
  });

  it("rejects a length prefix longer than the body", () => {
    expectDecodeError(Uint8Array.from([10, ...str(1, "abc")]), "unexpected EOF");
  });

  it("rejects a truncated length prefix", () => {
    expectDecodeError(Uint8Array.of(0x80), "unexpected EOF");
  });

  it("rejects an over-long length prefix", () => {
    expectDecodeError(Uint8Array.from([0xff, 0xff, 0xff, 0xff, 0xff, 0xff, 0xff, 0xff, 0xff, 0x7f]), /varint overflows/);
  });

  it("rejects a nested length that overruns its parent", () => {
    expectDecodeError(delimited([...tag(4, 2), 50, 1, 2, 3]), "unexpected EOF");
    expectDecodeError(delimited([...tag(2, 1), 1, 2, 3]), "unexpected EOF");
  });

  it("rejects field number 0", () => {
    expectDecodeError(delimited([0, 1]), "proto: io.prometheus.client.MetricFamily: illegal tag 0 (wire type 0)");
  });

  it("rejects a stray end-group and a group without end", () => {
    expectDecodeError(delimited([...tag(9, 4)]), /end group/);
    expectDecodeError(delimited([...tag(9, 3), ...vint(1, 1)]), "unexpected EOF");
  });

  it("rejects garbage text (a text-format body sent as protobuf)", () => {
    expect(() => decodeDelimitedFamilies(Buffer.from("some_metric 1\n"))).toThrow(ProtobufDecodeError);
  });

  it("rejects the whole body when a later message is broken", () => {
    const good = [...str(1, "a"), ...vint(3, 1)];
    expectDecodeError(Uint8Array.from([...delimited(good), 5, 1]), "unexpected EOF");
  });

  it("never throws anything but ProtobufDecodeError on random input", () => {
    let seed = 12345;
    const rnd = () => (seed = (seed * 1103515245 + 12345) >>> 0) / 2 ** 32;
    const base = encodeDelimitedFamilies([...assorted, nativeHistogram, floatHistogram]);
    for (let i = 0; i < 400; i++) {
      const bytes = Uint8Array.from(base);
      const flips = 1 + Math.floor(rnd() * 4);
      for (let k = 0; k < flips; k++) bytes[Math.floor(rnd() * bytes.length)] = Math.floor(rnd() * 256);
      const cut = rnd() < 0.3 ? Math.floor(rnd() * bytes.length) : bytes.length;
      try {
        decodeDelimitedFamilies(bytes.subarray(0, cut));
      } catch (e) {
        expect(e).toBeInstanceOf(ProtobufDecodeError);
      }
    }
  });
});
