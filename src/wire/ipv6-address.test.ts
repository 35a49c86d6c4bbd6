// RFC 5952 text for IPv6 addresses, and parsing of RFC 4291 §2.2 forms.

import assert from "node:assert/strict";
import { describe, it } from "node:test";
import { formatIpv6Address, formatIpv6AddressInetNtop, parseIpv6Address } from "./ipv6-address.js";

const CASES: Array<[string, string]> = [
  ["20010db8000000000000000000000001", "2001:db8::1"],
  ["00000000000000000000000000000000", "::"],
  ["00000000000000000000000000000001", "::1"],
  ["20010db8000000000000000000000000", "2001:db8::"],
  ["20010db8000000010000000000000001", "2001:db8:0:1::1"], // the longer run is compressed
  ["20010db8000000000001000000000001", "2001:db8::1:0:0:1"], // equal runs: the first one
  ["20010db8000000010001000100010001", "2001:db8:0:1:1:1:1:1"], // a single zero group stays
  ["fe800000000000000202b3fffe1e8329", "fe80::202:b3ff:fe1e:8329"],
];

describe("formatIpv6Address()", () => {
  for (const [hex, text] of CASES) {
    it(`writes ${text} (RFC 5952)`, () => {
      const b = Uint8Array.from(hex.match(/../g)!.map((h) => parseInt(h, 16)));
      assert.equal(formatIpv6Address(b), text);
      assert.deepEqual(parseIpv6Address(text), b);
    });
  }
});

describe("parseIpv6Address()", () => {
  it("reads uncompressed, upper-case and embedded IPv4 forms", () => {
    assert.equal(formatIpv6Address(parseIpv6Address("2001:DB8:0:0:0:0:0:1")!), "2001:db8::1");
    assert.equal(formatIpv6Address(parseIpv6Address("::ffff:192.0.2.1")!), "::ffff:c000:201");
  });
  it("refuses what is not an address", () => {
    for (const bad of ["", "1::2::3", "2001:db8", "12345::1", "g::1", "1:2:3:4:5:6:7:8:9", "::1.2.3.256"]) assert.equal(parseIpv6Address(bad), undefined, bad);
  });
});

describe("formatIpv6AddressInetNtop()", () => {
  // Expected strings are what glibc's inet_ntop prints (checked with python3's socket.inet_ntop).
  const GLIBC: Array<[string, string]> = [
    ["::102:304", "::1.2.3.4"],
    ["::ffff:102:304", "::ffff:1.2.3.4"],
    ["::ffff:0:0", "::ffff:0.0.0.0"],
    ["::1:2", "::0.1.0.2"],
    ["::ffff:0:102:304", "::ffff:0:102:304"],
    ["::1:2:3:4", "::1:2:3:4"],
    ["::2", "::2"],
    ["::1", "::1"],
    ["::", "::"],
    ["2001:db8::1", "2001:db8::1"],
  ];
  for (const [input, text] of GLIBC) {
    it(`writes ${input} as ${text}`, () => assert.equal(formatIpv6AddressInetNtop(parseIpv6Address(input)!), text));
  }
});
