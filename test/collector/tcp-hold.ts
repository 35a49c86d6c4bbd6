// A TCP relay in front of a server that a test can cut and restore: `hold()` closes every relayed
// connection and refuses new ones (the client sees its server unreachable, as when a link or a
// firewall drops it), `release()` accepts again. For the backlog test (stream-backlog.test.ts):
// one agent's NATS connectivity stopped while the others keep publishing.

import { type Server, type Socket, connect, createServer } from "node:net";

/** A relay on 127.0.0.1 to `port`. */
export class TcpHold {
  private held = false;
  private readonly open = new Set<Socket>();

  private constructor(private readonly server: Server, readonly port: number) {}

  static start(target: number): Promise<TcpHold> {
    const server = createServer();
    return new Promise((resolve, reject) => {
      server.once("error", reject);
      server.listen(0, "127.0.0.1", () => {
        const relay = new TcpHold(server, (server.address() as { port: number }).port);
        server.on("connection", (s) => relay.relay(s, target));
        resolve(relay);
      });
    });
  }

  get url(): string {
    return `nats://127.0.0.1:${this.port}`;
  }

  private relay(client: Socket, target: number): void {
    if (this.held) return void client.destroy();
    const up = connect(target, "127.0.0.1");
    for (const [a, b] of [[client, up], [up, client]] as const) {
      this.open.add(a);
      a.on("error", () => b.destroy());
      a.on("close", () => (this.open.delete(a), b.destroy()));
      a.pipe(b);
    }
  }

  /** Cuts every relayed connection and refuses new ones. */
  hold(): void {
    this.held = true;
    for (const s of this.open) s.destroy();
  }

  release(): void {
    this.held = false;
  }

  async close(): Promise<void> {
    this.hold();
    await new Promise<void>((r) => this.server.close(() => r()));
  }
}
