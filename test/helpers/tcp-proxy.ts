// A small TCP proxy for cutting one process off from a server: stop() closes the listener and destroys every
// proxied connection (both sides), as a network partition that the peer sees as resets; start() listens again.
import net from "node:net";

export interface TcpProxy {
  port: number;
  start(): Promise<void>;
  stop(): Promise<void>;
}

export function tcpProxy(listenPort: number, targetPort: number, host = "127.0.0.1"): TcpProxy {
  let server: net.Server | undefined;
  const sockets = new Set<net.Socket>();
  return {
    port: listenPort,
    start() {
      if (server) return Promise.resolve();
      const s = net.createServer((client) => {
        const upstream = net.connect(targetPort, host);
        sockets.add(client);
        sockets.add(upstream);
        const drop = (): void => {
          client.destroy();
          upstream.destroy();
          sockets.delete(client);
          sockets.delete(upstream);
        };
        client.on("error", drop).on("close", drop);
        upstream.on("error", drop).on("close", drop);
        client.pipe(upstream);
        upstream.pipe(client);
      });
      server = s;
      return new Promise((resolve, reject) => {
        s.once("error", reject);
        s.listen(listenPort, host, () => resolve());
      });
    },
    stop() {
      const s = server;
      server = undefined;
      for (const sock of sockets) sock.destroy();
      sockets.clear();
      return new Promise((resolve) => (s ? s.close(() => resolve()) : resolve()));
    },
  };
}
