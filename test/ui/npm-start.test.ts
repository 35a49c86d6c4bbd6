// test: serial — it builds the project, runs the demo as another user and checks host-wide state.
// `npm start` under `timeout`, as an unprivileged user in a clone that user owns (own HOME), then
// as root in the same clone: the URL answers, the summary line counts journeys, and after SIGINT
// nothing is left — no process (of that user; of the demo), no network namespace, no ip6tables
// rule, no temporary directory, no listener.

import assert from "node:assert/strict";
import { type ChildProcess, execFileSync, spawn } from "node:child_process";
import { cpSync, existsSync, readdirSync } from "node:fs";
import { join } from "node:path";
import { after, before, describe, it } from "node:test";
import { fileURLToPath } from "node:url";
import { get } from "./http.js";

const ROOT = join(fileURLToPath(new URL(".", import.meta.url)), "..", "..", "..");
const USER = `ioamkit-start-${process.pid}`;
const HOME = `/tmp/${USER}`;
const root = process.getuid?.() === 0;
const skip = root ? false : process.env.CI === "true" ? false : "needs root (useradd, another user's processes); runs in CI";

const sh = (cmd: string, args: string[]) => execFileSync(cmd, args, { encoding: "utf8" });
/**
 * What a demo could leave behind: namespaces, ip6tables rules (counters aside), its temporary
 * directories. In CI the machine is the test's alone and every namespace counts; elsewhere other
 * people's tests come and go, so only the demo's own lab names (ioamkit.demo<pid>.NODE) do.
 */
const hostState = () => ({
  netns: sh("ip", ["netns", "list"]).split("\n").filter((l) => process.env.CI === "true" || /^ioamkit\.demo\d+\./.test(l)).join("\n"),
  ip6tables: sh("ip6tables-save", []).replace(/^#.*$/gm, "").replace(/\[\d+:\d+\]/g, ""),
  demoDirs: readdirSync("/tmp").filter((f) => f.startsWith("ioamkit-demo-")).sort(),
});

/** Lines of a child's stdout, and a wait for one matching `re`. */
function lineReader(child: ChildProcess): { lines: string[]; wait(re: RegExp, ms: number): Promise<RegExpExecArray> } {
  const lines: string[] = [];
  let rest = "";
  child.stdout!.on("data", (d: Buffer) => {
    const parts = (rest + d.toString()).split("\n");
    rest = parts.pop()!;
    lines.push(...parts);
  });
  return {
    lines,
    wait: async (re, ms) => {
      const end = Date.now() + ms;
      for (;;) {
        for (const l of lines) {
          const m = re.exec(l);
          if (m) return m;
        }
        if (Date.now() > end || child.exitCode !== null) throw new Error(`no line ${re} in ${ms} ms; stdout:\n${lines.join("\n")}`);
        await new Promise((r) => setTimeout(r, 250));
      }
    },
  };
}

describe("npm start", { skip }, () => {
  let uid = 0;
  before(() => {
    execFileSync("useradd", ["--create-home", "--home-dir", HOME, "--shell", "/bin/sh", USER]);
    uid = Number(sh("id", ["-u", USER]).trim());
    execFileSync("git", ["clone", "--quiet", "--no-hardlinks", ROOT, join(HOME, "ioamkit")]);
    // npm ci's result, copied rather than downloaded again: the test is about npm start.
    cpSync(join(ROOT, "node_modules"), join(HOME, "ioamkit", "node_modules"), { recursive: true, verbatimSymlinks: true });
    execFileSync("chown", ["-R", `${USER}:${USER}`, HOME]);
  });
  after(() => {
    spawn("pkill", ["-KILL", "-u", USER]).on("exit", () => {});
    execFileSync("userdel", ["--remove", USER], { stdio: "ignore" });
  });

  /** `timeout -s INT 500 npm start` in the user's clone, as that user or as root; checks what it serves and leaves. */
  async function npmStart(asUser: boolean): Promise<void> {
    const before = hostState();
    const env = { HOME, PATH: process.env.PATH ?? "/usr/bin:/bin", USER: asUser ? USER : "root", LOGNAME: asUser ? USER : "root", LANG: "C.UTF-8" };
    const cmd = ["timeout", "-s", "INT", "500", "npm", "start"];
    const child = asUser
      ? spawn("setpriv", ["--reuid", String(uid), "--regid", String(uid), "--init-groups", "--", ...cmd], { cwd: join(HOME, "ioamkit"), env, stdio: ["ignore", "pipe", "pipe"] })
      : spawn(cmd[0]!, cmd.slice(1), { cwd: join(HOME, "ioamkit"), env, stdio: ["ignore", "pipe", "pipe"] });
    let stderr = "";
    child.stderr!.on("data", (d: Buffer) => (stderr += d.toString()));
    const out = lineReader(child);
    const exited = new Promise<string>((r) => child.on("exit", (code, signal) => r(signal ?? String(code))));
    // The pipe closes once every process holding it has ended: npm, and the demo under it.
    const closed = new Promise<void>((r) => child.stdout!.on("close", () => r()));
    const url = (await out.wait(/ioam demo: open (http:\/\/127\.0\.0\.1:\d+\/)/, 400_000).catch((e: Error) => Promise.reject(new Error(`${e.message}\nstderr:\n${stderr}`))))[1]!;
    const summary = await out.wait(/^journeys ([1-9]\d*) \(/, 60_000);
    assert.ok(Number(summary[1]) > 0);
    const port = Number(new URL(url).port);
    assert.equal((await get(port, "/")).status, 200, "the page is built and served");
    const paths = (await get(port, "/api/v1/paths")).json<{ journeys: number; paths: Array<{ path: string }> }>();
    // h1 → h2 through r2, and the ping replies back through r2 (examples/diamond.yaml's routes).
    assert.ok(paths.journeys > 0 && paths.paths.length === 2, JSON.stringify(paths).slice(0, 200));
    if (asUser) assert.match(stderr, /real lab not started \(not root\)/);
    else assert.match(stderr, /real lab not started \(this build has no ioam node run|ioam demo: lab /, "as root: the real lab, or why not");
    child.kill("SIGINT");
    // timeout passes SIGINT on to npm and, once npm is gone, ends itself with the same signal.
    assert.match(await exited, /^(0|SIGINT)$/, `npm start ends with 0 or SIGINT; stderr:\n${stderr}`);
    await closed;
    assert.ok(out.lines.includes("ioam demo: stopped; nothing left behind"), out.lines.join("\n"));
    if (asUser) assert.equal(spawnCount(USER), 0, "no process of the user is left");
    else assert.equal(demoProcesses(), "", "no demo, ping or data plane process is left");
    assert.deepEqual(hostState(), before, "no network namespace, ip6tables rule or temporary directory left");
    await assert.rejects(get(port, "/"), /ECONNREFUSED/);
    assert.ok(existsSync(join(HOME, "ioamkit", "dist", "web", "index.html")), "npm start built the page in the clone");
  }

  it("as an unprivileged user: serves the UI with journeys, and SIGINT leaves nothing behind", { timeout: 600_000 }, () => npmStart(true));

  it("as root: the same (the real lab when this build has ioam node run)", { timeout: 600_000, skip: root ? false : "needs root" }, () => npmStart(false));
});

/** Processes started from the clone (the demo, its children: ip netns exec ping, ioam node run). */
function demoProcesses(): string {
  try {
    return sh("pgrep", ["-a", "-f", `${HOME}/ioamkit/|ping -6 -q`]).trim();
  } catch {
    return ""; // pgrep exits 1 when nothing matches
  }
}

function spawnCount(user: string): number {
  try {
    return sh("pgrep", ["-u", user]).trim().split("\n").filter(Boolean).length;
  } catch {
    return 0; // pgrep exits 1 when nothing matches
  }
}
