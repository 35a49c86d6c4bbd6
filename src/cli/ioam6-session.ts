// Opens the IOAM6 Generic Netlink client for a command and closes it, with the hints an
// operator needs when the kernel says no.

import { KernelError } from "../linux/kernel-error.js";
import { Ioam6Client } from "../linux/netlink/ioam6-family.js";
import { IoamError } from "../errors.js";

/** Runs `fn` with a client of this network namespace's IOAM6 family. */
export async function withIoam6<T>(fn: (c: Ioam6Client) => Promise<T>): Promise<T> {
  let client: Ioam6Client;
  try {
    client = await Ioam6Client.open();
  } catch (e) {
    throw withHint(e);
  }
  try {
    return await fn(client);
  } catch (e) {
    throw withHint(e);
  } finally {
    client.close();
  }
}

function withHint(e: unknown): unknown {
  if (e instanceof KernelError && (e.errnoName === "EPERM" || e.errnoName === "EACCES")) {
    return new IoamError("KERNEL", `${e.message}; IOAM configuration needs CAP_NET_ADMIN (run as root)`);
  }
  return e;
}
