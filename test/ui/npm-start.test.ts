// test: serial — it builds the project, runs the demo as another user and checks host-wide state.
// `npm start` under `timeout`, as an unprivileged user in a clone that user owns (own HOME), then
// as root in the same clone (the real diamond lab: the page in Chromium shows its nodes, links and
// a journey as the API has them): the URL answers, the summary line counts journeys, and after SIGINT
// nothing is left — no process (of that user; of the demo), no network namespace, no ip6tables
// rule, no temporary directory, no listener.

import assert from "node:assert/strict";
import { type ChildProcess, execFileSync, spawn } from "node:child_process";
import { cpSync, existsSync, readdirSync } from "node:fs";
import { join } from "node:path";
import { after, before, describe, it } from "node:test";
import { fileURLToPath } from "node:url";
import { artifactPath, chromiumSkip, launchChromium } from "../harness/chromium.js";
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
    // …and the NFQUEUE addon npm ci built (build/, gitignored): the real lab's data plane needs it.
    if (existsSync(join(ROOT, "build"))) cpSync(join(ROOT, "build"), join(HOME, "ioamkit", "build"), { recursive: true });
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
      ? spawn("setpriv", ["--reuid", String(uid), "--regid", String(uid), "--init-groups", "--", ...cmd], { cwd: join(HOME, "ioamkit"), env, stdio: ["ignore", "pipe", "pipe"], detached: true })
      : spawn(cmd[0]!, cmd.slice(1), { cwd: join(HOME, "ioamkit"), env, stdio: ["ignore", "pipe", "pipe"], detached: true });
    // Its own process group, as a shell gives a job: SIGINT to the group is Ctrl-C on a terminal
    // (npm, the demo and, as root, its ping all get it).
    const ctrlC = () => process.kill(-child.pid!, "SIGINT");
    let stderr = "";
    child.stderr!.on("data", (d: Buffer) => (stderr += d.toString()));
    const out = lineReader(child);
    const exited = new Promise<string>((r) => child.on("exit", (code, signal) => r(signal ?? String(code))));
    // The pipe closes once every process holding it has ended: npm, and the demo under it.
    const closed = new Promise<void>((r) => child.stdout!.on("close", () => r()));
    let url = "";
    try {
      url = (await out.wait(/ioam demo: open (http:\/\/127\.0\.0\.1:\d+\/)/, 400_000).catch((e: Error) => Promise.reject(new Error(`${e.message}\nstderr:\n${stderr}`))))[1]!;
      const summary = await out.wait(/^journeys ([1-9]\d*) \(/, 60_000);
      assert.ok(Number(summary[1]) > 0);
      const port = Number(new URL(url).port);
      assert.equal((await get(port, "/")).status, 200, "the page is built and served");
      const paths = (await get(port, "/api/v1/paths")).json<{ journeys: number; paths: Array<{ path: string }> }>();
      // h1 → h2 through r2, and the ping replies back through r2 (examples/diamond.yaml's routes).
      assert.ok(paths.journeys > 0 && paths.paths.length === 2, JSON.stringify(paths).slice(0, 200));
      if (asUser) assert.match(stderr, /real lab not started \(not root\)/);
      else {
        assert.match(stderr, /^ioam demo: lab data plane of r1: running$/m, stderr);
        assert.match(stderr, /^ioam demo: examples\/diamond\.yaml as lab demo\d+ /m);
        await pageMatchesApi(url);
      }
    } catch (e) {
      // A failed check must not leave the demo (and, as root, its lab) running.
      ctrlC();
      await exited;
      await closed;
      throw e;
    }
    ctrlC();
    // timeout ends with the signal once npm is gone (or 0 when the demo ended first).
    assert.match(await exited, /^(0|SIGINT)$/, `npm start ends with 0 or SIGINT; stderr:\n${stderr}`);
    await closed;
    assert.ok(out.lines.includes("ioam demo: stopped; nothing left behind"), out.lines.join("\n"));
    if (asUser) assert.equal(spawnCount(USER), 0, "no process of the user is left");
    else assert.equal(demoProcesses(), "", "no demo, ping or data plane process is left");
    assert.deepEqual(hostState(), before, "no network namespace, ip6tables rule or temporary directory left");
    await assert.rejects(get(Number(new URL(url).port), "/"), /ECONNREFUSED/);
    assert.ok(existsSync(join(HOME, "ioamkit", "dist", "web", "index.html")), "npm start built the page in the clone");
  }

  it("as an unprivileged user: serves the UI with journeys, and SIGINT leaves nothing behind", { timeout: 600_000 }, () => npmStart(true));

  it("as root: the real lab (namespaces, r1/r4 ioam node run), its journeys on the page as the API has them, and the same cleanup", { timeout: 600_000, skip: root ? false : "needs root" }, () => npmStart(false));
});

/** Processes started from the clone (the demo, its children: ip netns exec ping, ioam node run). */
function demoProcesses(): string {
  try {
    return sh("pgrep", ["-a", "-f", `${HOME}/ioamkit/|ping -6 -q`]).trim();
  } catch {
    return ""; // pgrep exits 1 when nothing matches
  }
}

/** The page over the real lab in Chromium: its graph's nodes and links and its waterfall's hops are the API's. */
async function pageMatchesApi(url: string): Promise<void> {
  if (chromiumSkip()) return;
  const browser = await launchChromium();
  try {
    const page = await browser.context.newPage();
    const errors: string[] = [];
    page.on("pageerror", (e) => errors.push(e.message));
    await page.goto(url);
    await page.waitForSelector("body[data-ready='1']", { timeout: 60_000 });
    const port = Number(new URL(url).port);
    const w = JSON.parse((await page.getAttribute("body", "data-window"))!) as { from: number; to: number };
    const topo = (await get(port, `/api/v1/topology?from=${w.from}&to=${w.to}`)).json<{ nodes: Array<{ id: string }>; links: Array<{ id: string }> }>();
    const attrs = (sel: string, name: string) => page.$$eval(sel, (els, n) => els.map((e) => e.getAttribute(n) ?? ""), name);
    assert.deepEqual((await attrs("#graph-figures tr[data-node-id]", "data-node-id")).sort(), topo.nodes.map((n) => n.id).sort());
    assert.deepEqual(topo.nodes.map((n) => n.id).sort(), ["1", "2", "4"], "r1, r2 and r4 (r3 is off the routes)");
    assert.deepEqual((await attrs("#graph-figures tr[data-link-id]", "data-link-id")).sort(), topo.links.map((l) => l.id).sort());
    const id = Number(await page.getAttribute("#waterfall-chart", "data-journey-id"));
    const t = Number(await page.getAttribute("#waterfall-chart", "data-time-ms"));
    const list = (await get(port, `/api/v1/journeys?from=${Math.floor(t)}&to=${Math.ceil(t) + 1}&limit=10000`)).json<{ journeys: Array<{ id: number; latencyNs: Array<number | null>; hops: Array<{ nodeId: number }> }> }>();
    const j = list.journeys.find((x) => x.id === id);
    assert.ok(j, `journey ${id} of the waterfall is the API's journey at ${t}`);
    assert.deepEqual((await attrs("#waterfall-fields tr[data-field='nodeId'] td", "data-value")).map(Number), j.hops.map((h) => h.nodeId));
    assert.deepEqual((await attrs("#waterfall-fields tr[data-field='latencyNs'] td", "data-value")).map((v) => (v === "" ? null : Number(v))), j.latencyNs);
    await page.screenshot({ path: artifactPath("ui-real-lab.png"), fullPage: true });
    assert.deepEqual(errors, []);
  } finally {
    await browser.close();
  }
}

function spawnCount(user: string): number {
  try {
    return sh("pgrep", ["-u", user]).trim().split("\n").filter(Boolean).length;
  } catch {
    return 0; // pgrep exits 1 when nothing matches
  }
}
