// How agents and stream workers reach NATS (docs/deployment.md, "Security"): servers, the stream's
// name, and credentials — a .creds file (JWT + nkey seed), an nkey seed file, a user with a
// password file, or a token file — read from files named in the configuration or from the
// environment, never from the command line; TLS with a CA and optionally a client certificate.

import { readFileSync } from "node:fs";
import { type Authenticator, type ConnectionOptions, credsAuthenticator, nkeyAuthenticator, tokenAuthenticator, usernamePasswordAuthenticator } from "nats";
import { ConfigError, UsageError } from "../../errors.js";

/** The `nats:` section of the agent's and the collector's configuration. */
export interface NatsConfig {
  servers: string[];
  /** The JetStream stream (default IOAM), capturing subjects ioam.> */
  stream: string;
  credentials?: string;
  nkeySeed?: string;
  user?: string;
  passwordFile?: string;
  tokenFile?: string;
  tls?: { ca?: string; cert?: string; key?: string };
}

type Obj = Record<string, unknown>;
const isObj = (v: unknown): v is Obj => v !== null && typeof v === "object" && !Array.isArray(v);

/** A server URL from the command line: no user, password or token in it. */
export function serverUrls(text: string): string[] {
  return text.split(",").map((u) => {
    const url = u.trim();
    if (!/^(nats|tls):\/\//.test(url)) throw new UsageError(`"${url}": expected nats://HOST:PORT (or tls://), comma-separated`);
    if (/^[a-z]+:\/\/[^/]*@/.test(url)) throw new UsageError(`"${url.replace(/\/\/[^@]*@/, "//…@")}": credentials never go on the command line; use nats.credentials / nats.passwordFile in the config file, or IOAM_NATS_USER and IOAM_NATS_PASSWORD (docs/deployment.md)`);
    return url;
  });
}

function str(v: unknown, path: string): string | undefined {
  if (v === undefined) return undefined;
  if (typeof v !== "string" || v === "") throw new ConfigError(path, "expected a non-empty string");
  return v;
}

/** Reads a `nats:` section (servers may also come from the command line later). */
export function natsConfig(v: unknown, path = "nats"): NatsConfig {
  const c: NatsConfig = { servers: [], stream: "IOAM" };
  if (v === undefined) return c;
  if (!isObj(v)) throw new ConfigError(path, "expected a mapping (servers, stream, credentials, tls …)");
  const servers = v.servers === undefined ? [] : Array.isArray(v.servers) ? v.servers : [v.servers];
  c.servers = servers.map((s, i) => {
    if (typeof s !== "string") throw new ConfigError(`${path}.servers[${i}]`, "expected nats://HOST:PORT");
    return s;
  });
  if (v.password !== undefined || v.token !== undefined) throw new ConfigError(`${path}.password`, "secrets are read from files: passwordFile, tokenFile, credentials, nkeySeed (or the environment)");
  c.stream = str(v.stream, `${path}.stream`) ?? "IOAM";
  for (const k of ["credentials", "nkeySeed", "user", "passwordFile", "tokenFile"] as const) {
    const s = str(v[k], `${path}.${k}`);
    if (s !== undefined) c[k] = s;
  }
  if (v.tls !== undefined) {
    if (!isObj(v.tls)) throw new ConfigError(`${path}.tls`, "expected { ca, cert, key } file names");
    c.tls = {};
    for (const k of ["ca", "cert", "key"] as const) {
      const s = str(v.tls[k], `${path}.tls.${k}`);
      if (s !== undefined) c.tls[k] = s;
    }
  }
  return c;
}

const secret = (file: string) => readFileSync(file, "utf8").trim();

/** The authenticator the configuration or the environment asks for, if any. */
function authenticator(c: NatsConfig, env: NodeJS.ProcessEnv): Authenticator | undefined {
  const creds = c.credentials ?? env.IOAM_NATS_CREDS;
  if (creds) return credsAuthenticator(readFileSync(creds));
  const seed = c.nkeySeed ?? env.IOAM_NATS_NKEY;
  if (seed) return nkeyAuthenticator(new TextEncoder().encode(secret(seed)));
  const user = c.user ?? env.IOAM_NATS_USER;
  if (user) {
    const pass = c.passwordFile ? secret(c.passwordFile) : env.IOAM_NATS_PASSWORD;
    if (pass === undefined) throw new ConfigError("nats.passwordFile", `user ${user} needs a password: nats.passwordFile or IOAM_NATS_PASSWORD`);
    return usernamePasswordAuthenticator(user, pass);
  }
  const token = c.tokenFile ? secret(c.tokenFile) : env.IOAM_NATS_TOKEN;
  return token ? tokenAuthenticator(token) : undefined;
}

/** Connection options for the nats client: reconnect for ever, TLS and credentials as configured. */
export function connectionOptions(c: NatsConfig, name: string, env: NodeJS.ProcessEnv = process.env): ConnectionOptions {
  if (c.servers.length === 0) throw new ConfigError("nats.servers", "no NATS server: give --source nats://HOST:PORT or nats.servers in the config file");
  const auth = authenticator(c, env);
  const o: ConnectionOptions = { servers: c.servers, name, maxReconnectAttempts: -1, reconnectTimeWait: 500, waitOnFirstConnect: true, pingInterval: 5000, maxPingOut: 2 };
  if (auth) o.authenticator = auth;
  if (c.tls) o.tls = { ...(c.tls.ca ? { caFile: c.tls.ca } : {}), ...(c.tls.cert ? { certFile: c.tls.cert } : {}), ...(c.tls.key ? { keyFile: c.tls.key } : {}) };
  return o;
}
