// The lab's background processes (data planes, agents) are known by the pid recorded in the
// lab's state; whether one still runs is asked with signal 0 (kill(2): existence check only).

/** A recorded status as it stands: "running" whose process is gone reads "exited (see its log)". */
export function liveStatus(p: { status: string; pid?: number }): string {
  return p.status === "running" && p.pid !== undefined && !isAlive(p.pid) ? "exited (see its log)" : p.status;
}

/** True while a process with this pid exists. */
export function isAlive(pid: number): boolean {
  try {
    process.kill(pid, 0);
    return true;
  } catch {
    return false;
  }
}
