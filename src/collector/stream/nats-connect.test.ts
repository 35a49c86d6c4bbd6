import assert from "node:assert/strict";
import { describe, it } from "node:test";
import { ConfigError } from "../../errors.js";
import { fatalConnectError } from "./nats-connect.js";

const err = (code: string, message: string) => Object.assign(new Error(message), { code });
const servers = ["tls://nats1:4222", "tls://nats2:4222"];

describe("fatalConnectError()", () => {
  it("names the servers and the credential settings when the server refuses the credentials", () => {
    const e = fatalConnectError(err("AUTHORIZATION_VIOLATION", "'Authorization Violation'"), servers);
    assert.ok(e instanceof ConfigError);
    assert.equal(e.path, "nats");
    assert.match(e.message, /^nats: tls:\/\/nats1:4222,tls:\/\/nats2:4222 refused the credentials \(Authorization Violation\): check nats\.credentials/);
  });

  it("names nats.tls.ca when the server's certificate does not verify", () => {
    for (const code of ["UNABLE_TO_VERIFY_LEAF_SIGNATURE", "SELF_SIGNED_CERT_IN_CHAIN", "CERT_HAS_EXPIRED", "ERR_TLS_CERT_ALTNAME_INVALID"]) {
      const e = fatalConnectError(err(code, "some TLS failure"), servers);
      assert.equal(e?.path, "nats.tls", code);
      assert.match(e!.message, new RegExp(`TLS failed \\(${code}: some TLS failure\\): nats\\.tls\\.ca must name the CA`));
    }
  });

  it("leaves a server that is not there yet to be retried", () => {
    for (const code of ["CONNECTION_REFUSED", "TIMEOUT", "ECONNRESET"]) assert.equal(fatalConnectError(err(code, code), servers), undefined, code);
  });
});
