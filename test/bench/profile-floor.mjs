#!/usr/bin/env node
// The floor under pushboard's push round trip on this machine: a bare node:http server that reads the bench push
// body and answers 200 (no parsing, no store), then the same with an append + fdatasync of a file before each
// answer (the least a durable push can do), both loaded by wrk with the bench's push.lua.
//   node test/bench/profile-floor.mjs [--conns=1] [--seconds=5] [--ports=19600-19649]
// Prints req/s, p50 and the server's CPU µs per request for each, and the load average.
import { spawn } from "node:child_process";
import { mkdtempSync, readFileSync, writeFileSync } from "node:fs";
import os from "node:os";
import path from "node:path";
import { pickPort, pushBody, runWrk } from "./lib.mjs";

const opt = (name, def) => process.argv.find((a) => a.startsWith(`--${name}=`))?.slice(name.length + 3) ?? def;
const conns = Number(opt("conns", 1));
const seconds = Number(opt("seconds", 5));
const [portLo, portHi] = opt("ports", "19600-19649").split("-").map(Number);
const work = mkdtempSync(path.join(os.tmpdir(), "pushboard-floor-"));
const bodyFile = path.join(work, "push-body.txt");
writeFileSync(bodyFile, pushBody());

const SERVER = `
const http = require("node:http");
const fs = require("node:fs");
const [port, file] = process.argv.slice(1);
const fd = file ? fs.openSync(file, "a") : undefined;
http.createServer((req, res) => {
  const chunks = [];
  req.on("data", (c) => chunks.push(c));
  req.on("end", () => {
    if (fd !== undefined) {
      fs.writeSync(fd, chunks.length === 1 ? chunks[0] : Buffer.concat(chunks));
      fs.fdatasyncSync(fd);
    }
    res.writeHead(200, { "Content-Length": "0" });
    res.end();
  });
}).listen(Number(port), "127.0.0.1", () => process.stdout.write("ready\\n"));
`;

const cpuUs = (pid) => {
  const f = readFileSync(`/proc/${pid}/stat`, "utf8");
  const x = f.slice(f.lastIndexOf(")") + 2).split(" ");
  return (Number(x[11]) + Number(x[12])) * 10_000;
};

for (const [name, file] of [
  ["bare node:http 200", ""],
  ["node:http + write + fdatasync", path.join(work, "log")],
]) {
  const port = await pickPort(portLo, portHi, new Set());
  const p = spawn(process.execPath, ["-e", SERVER, String(port), file], { stdio: ["ignore", "pipe", "inherit"] });
  await new Promise((resolve) => p.stdout.once("data", resolve));
  const base = `http://127.0.0.1:${port}`;
  const args = { base, conns, groups: 10, prefix: "/metrics/job/bench/instance/g", bodyFile };
  await runWrk({ ...args, seconds: 1 });
  const c0 = cpuUs(p.pid);
  const r = await runWrk({ ...args, seconds });
  const cpu = cpuUs(p.pid) - c0;
  console.log(
    `${name}, ${conns} conn: ${r.rps.toFixed(0)} req/s, p50 ${(r.p50 * 1000).toFixed(0)} µs, server CPU ${(cpu / r.requests).toFixed(0)} µs/req; load ${os
      .loadavg()
      .map((x) => x.toFixed(2))
      .join(" ")}`,
  );
  p.kill("SIGTERM");
}
