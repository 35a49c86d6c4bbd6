// Who may use `ioam ui`: loopback by default with Host and Origin checked (403 for a foreign
// one, API and WebSocket alike); beyond loopback it refuses to start without a token and TLS,
// and answers 401 without the token.

import assert from "node:assert/strict";
import { execFileSync } from "node:child_process";
import { mkdtempSync, writeFileSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { after, before, describe, it } from "node:test";
import WebSocket from "ws";
import type { SqliteStore } from "../../src/collector/store/sqlite-store.js";
import { UsageError } from "../../src/errors.js";
import type { UiServer } from "../../src/ui/server.js";
import { startUi } from "../../src/ui/start.js";
import { diamondStore } from "./fixtures.js";
import { get } from "./http.js";

/** Opens a WebSocket to the tail with these headers; resolves with the status the server answered (101 = open). */
function wsStatus(url: string, headers: Record<string, string>): Promise<number> {
  return new Promise((resolve) => {
    const ws = new WebSocket(url, { headers, rejectUnauthorized: false });
    ws.on("open", () => (ws.terminate(), resolve(101)));
    ws.on("unexpected-response", (_req, res) => resolve(res.statusCode ?? 0));
    ws.on("error", () => resolve(-1));
  });
}

describe("ioam ui on loopback", () => {
  let store: SqliteStore;
  let ui: UiServer;
  before(async () => {
    ({ store } = await diamondStore(200));
    ui = await startUi(store, { listen: "127.0.0.1:0" });
  });
  after(async () => {
    await ui.close();
    await store.close();
  });

  it("answers its own names without a token", async () => {
    for (const host of [`127.0.0.1:${ui.port}`, `localhost:${ui.port}`, `[::1]:${ui.port}`]) assert.equal((await get(ui.port, "/api/v1/paths", { host })).status, 200, host);
    assert.equal((await get(ui.port, "/api/v1/paths", { origin: `http://localhost:${ui.port}`, host: `localhost:${ui.port}` })).status, 200);
  });

  it("refuses a foreign Host (DNS rebinding) and a foreign Origin with 403, page and API", async () => {
    const cases: Array<Record<string, string>> = [
      { host: `attacker.example:${ui.port}` },
      { host: `127.0.0.1:${ui.port + 1}` },
      { origin: "http://attacker.example" },
      { origin: `http://localhost:${ui.port}` },
      { origin: "null" },
    ];
    for (const h of cases) {
      const r = await get(ui.port, "/api/v1/paths", h);
      assert.equal(r.status, 403, JSON.stringify(h));
      assert.equal(r.json<{ error: { code: string } }>().error.code, "FORBIDDEN");
    }
    assert.match((await get(ui.port, "/api/v1", { host: "evil.test" })).json<{ error: { message: string } }>().error.message, /Host "evil.test" is not a name of this server/);
    assert.equal((await get(ui.port, "/", { host: "evil.test" })).status, 403);
  });

  it("refuses a cross-site WebSocket and a foreign Host on the tail with 403; its own origin is let in", async () => {
    const url = `ws://127.0.0.1:${ui.port}/api/v1/tail`;
    assert.equal(await wsStatus(url, { origin: "http://attacker.example" }), 403);
    assert.equal(await wsStatus(url, { host: `attacker.example:${ui.port}` }), 403);
    assert.equal(await wsStatus(url, { origin: `http://127.0.0.1:${ui.port}` }), 101);
    assert.equal(await wsStatus(`${url}?node=nope`, {}), 400);
  });

  it("serves the page with a policy that allows this origin only", async () => {
    const r = await get(ui.port, "/");
    assert.ok(r.status === 200 || r.status === 503, `page: ${r.status}`);
    assert.match(String(r.headers["content-security-policy"]), /default-src 'self'; script-src 'self'/);
    assert.equal(r.headers["x-frame-options"], "DENY");
    assert.equal((await get(ui.port, "/../../etc/passwd")).status, 404);
  });
});

describe("ioam ui beyond loopback", () => {
  let store: SqliteStore;
  let dir: string;
  before(async () => {
    ({ store } = await diamondStore(50));
    dir = mkdtempSync(join(tmpdir(), "ioamkit-ui-tls-"));
    execFileSync("openssl", ["req", "-x509", "-newkey", "rsa:2048", "-nodes", "-days", "1", "-subj", "/CN=localhost", "-keyout", join(dir, "key.pem"), "-out", join(dir, "cert.pem")], { stdio: "ignore" });
    writeFileSync(join(dir, "token"), "0123456789abcdef0123456789abcdef\n");
  });
  after(() => store.close());

  it("refuses to start without a token and TLS, with a one-line reason", async () => {
    const attempts = [{}, { tokenFile: join(dir, "token") }, { tlsCert: join(dir, "cert.pem"), tlsKey: join(dir, "key.pem") }];
    for (const extra of attempts) {
      await assert.rejects(startUi(store, { listen: "0.0.0.0:0", ...extra }), (e: unknown) => e instanceof UsageError && /^refusing to listen on 0\.0\.0\.0:0 without .*beyond loopback the UI needs both/.test(e.message) && !e.message.includes("\n"));
    }
  });

  it("answers 401 without the token, 200 with it (header or the cookie /?token= sets), over TLS", async () => {
    const ui = await startUi(store, { listen: "0.0.0.0:0", tokenFile: join(dir, "token"), tlsCert: join(dir, "cert.pem"), tlsKey: join(dir, "key.pem") });
    try {
      const host = { host: `localhost:${ui.port}` };
      const none = await get(ui.port, "/api/v1/paths", host, true);
      assert.equal(none.status, 401);
      assert.equal(none.headers["www-authenticate"], 'Bearer realm="ioam"');
      assert.equal((await get(ui.port, "/api/v1/paths", { ...host, authorization: "Bearer wrong" }, true)).status, 401);
      assert.equal((await get(ui.port, "/api/v1/paths", { ...host, authorization: "Bearer 0123456789abcdef0123456789abcdef" }, true)).status, 200);
      const login = await get(ui.port, "/?token=0123456789abcdef0123456789abcdef", host, true);
      assert.equal(login.status, 303);
      const cookie = String(login.headers["set-cookie"]).split(";")[0]!;
      assert.match(String(login.headers["set-cookie"]), /HttpOnly; Secure; SameSite=Strict/);
      assert.equal((await get(ui.port, "/api/v1/paths", { ...host, cookie }, true)).status, 200);
      assert.equal((await get(ui.port, "/api/v1/paths", { host: `attacker.example:${ui.port}`, cookie }, true)).status, 403);
      const url = `wss://127.0.0.1:${ui.port}/api/v1/tail`;
      assert.equal(await wsStatus(url, host), 401);
      assert.equal(await wsStatus(url, { ...host, cookie }), 101);
    } finally {
      await ui.close();
    }
  });
});
