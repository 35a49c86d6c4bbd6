// The first connection of an agent or a worker to NATS. The client's own "wait on first connect"
// retries every failure for ever, a refused password or an untrusted server certificate too: the
// process then looks alive and does nothing. Here each first attempt is one pass over the
// servers; a server that is not there yet (refused, timed out) is tried again, but credentials
// the server refuses or a certificate that does not verify end the wait with an error that says
// what and where (docs/deployment.md, "Credentials and TLS"). Once connected, the client
// reconnects by itself for ever, as configured in nats-config.ts.

import { type ConnectionOptions, type NatsConnection, connect } from "nats";
import { ConfigError } from "../../errors.js";

/** NATS protocol errors meaning "these credentials will never be accepted". */
const AUTH_CODES = /^(AUTHORIZATION_VIOLATION|AUTHENTICATION_EXPIRED|AUTHENTICATION_TIMEOUT|ACCOUNT_EXPIRED|PERMISSIONS_VIOLATION)$/;
/** Node's TLS verification errors (OpenSSL X509_V_ERR_* names, ERR_TLS_CERT_ALTNAME_INVALID). */
const TLS_CODES = /CERT|SELF_SIGNED|UNABLE_TO_(GET|VERIFY)|ERR_TLS|ERR_SSL/;

/** Why a first connection failed for good, as a configuration error; undefined when worth retrying. */
export function fatalConnectError(e: unknown, servers: readonly string[]): ConfigError | undefined {
  const code = String((e as { code?: unknown }).code ?? "");
  const message = e instanceof Error ? e.message : String(e);
  const where = servers.join(",");
  if (AUTH_CODES.test(code)) {
    return new ConfigError("nats", `${where} refused the credentials (${message.replace(/'/g, "")}): check nats.credentials, nkeySeed, user + passwordFile or tokenFile, or IOAM_NATS_CREDS / IOAM_NATS_NKEY / IOAM_NATS_USER + IOAM_NATS_PASSWORD / IOAM_NATS_TOKEN`);
  }
  if (TLS_CODES.test(code) || /certificate|wrong version number|tls/i.test(message)) {
    return new ConfigError("nats.tls", `${where}: TLS failed (${code ? `${code}: ` : ""}${message}): nats.tls.ca must name the CA that signed the server's certificate, whose name must match the URL's host`);
  }
  return undefined;
}

const sleep = (ms: number) => new Promise<void>((r) => setTimeout(r, ms));

/**
 * Connects, retrying every `retryMs` while no server answers, until `stopped()` says to give up
 * (then resolves undefined). Rejects with a ConfigError when the credentials or TLS are refused.
 * `onRetry` hears each transient failure (for counters and logs).
 */
export async function connectNats(o: ConnectionOptions, opts: { retryMs?: number; stopped?: () => boolean; onRetry?: (e: unknown) => void } = {}): Promise<NatsConnection | undefined> {
  const servers = Array.isArray(o.servers) ? o.servers : o.servers ? [o.servers] : [];
  while (!opts.stopped?.()) {
    try {
      return await connect({ ...o, waitOnFirstConnect: false });
    } catch (e) {
      const fatal = fatalConnectError(e, servers);
      if (fatal) throw fatal;
      opts.onRetry?.(e);
      await sleep(opts.retryMs ?? 500);
    }
  }
  return undefined;
}
