// What the kernel answered, as a typed error: errno number and name, the kernel's extended ack
// message when it sent one, and what ioamkit was doing.

import { IoamError } from "../errors.js";

/** errno values netlink answers with, and the text strerror(3) gives for them. */
const ERRNO: Record<number, [string, string]> = {
  1: ["EPERM", "Operation not permitted"],
  2: ["ENOENT", "No such file or directory"],
  3: ["ESRCH", "No such process"],
  12: ["ENOMEM", "Cannot allocate memory"],
  13: ["EACCES", "Permission denied"],
  16: ["EBUSY", "Device or resource busy"],
  17: ["EEXIST", "File exists"],
  19: ["ENODEV", "No such device"],
  22: ["EINVAL", "Invalid argument"],
  34: ["ERANGE", "Numerical result out of range"],
  61: ["ENODATA", "No data available"],
  95: ["EOPNOTSUPP", "Operation not supported"],
  97: ["EAFNOSUPPORT", "Address family not supported by protocol"],
  101: ["ENETUNREACH", "Network is unreachable"],
  105: ["ENOBUFS", "No buffer space available"],
  113: ["EHOSTUNREACH", "No route to host"],
};

/** errno name for a number ("E17" when not in the table). */
export function errnoName(errno: number): string {
  return ERRNO[errno]?.[0] ?? `E${errno}`;
}

export class KernelError extends IoamError {
  readonly errno: number;
  readonly errnoName: string;
  readonly extack: string | undefined;
  constructor(what: string, errno: number, extack?: string) {
    const [name, text] = ERRNO[errno] ?? [`E${errno}`, `error ${errno}`];
    super("KERNEL", `${what}: ${text} (${name})${extack ? `: ${extack}` : ""}`);
    this.name = "KernelError";
    this.errno = errno;
    this.errnoName = name;
    this.extack = extack;
  }
}
