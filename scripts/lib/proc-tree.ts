/** Process trees and their CPU from Linux's /proc (for the benchmark and process tests). */
import * as fs from "fs";

export interface ProcStat {
  ppid: number;
  /** "R", "S", "Z" (exited, not yet reaped), … */
  state: string;
  /** Own user + system CPU, seconds. */
  cpu: number;
  /** CPU of reaped children, seconds. */
  childrenCpu: number;
}

const TICK = 100; // USER_HZ: 100 on Linux

/** A process's /proc/<pid>/stat, or undefined once it is gone. */
export function procStat(pid: number): ProcStat | undefined {
  try {
    const s = fs.readFileSync(`/proc/${pid}/stat`, "utf8");
    const f = s.slice(s.lastIndexOf(")") + 2).split(" ");
    return {
      state: f[0],
      ppid: Number(f[1]),
      cpu: (Number(f[11]) + Number(f[12])) / TICK,
      childrenCpu: (Number(f[13]) + Number(f[14])) / TICK,
    };
  } catch {
    return undefined;
  }
}

/** A process and all its descendants. */
export function descendants(rootPid: number): number[] {
  const children = new Map<number, number[]>();
  for (const d of fs.readdirSync("/proc")) {
    if (!/^\d+$/.test(d)) continue;
    const st = procStat(Number(d));
    if (!st) continue;
    children.set(st.ppid, [...(children.get(st.ppid) ?? []), Number(d)]);
  }
  const out: number[] = [];
  const stack = [rootPid];
  while (stack.length) {
    const p = stack.pop()!;
    out.push(p);
    stack.push(...(children.get(p) ?? []));
  }
  return out;
}

/** Still running (an exited process its parent has not reaped yet is not). */
export function alive(pid: number): boolean {
  const st = procStat(pid);
  return st !== undefined && st.state !== "Z" && st.state !== "X";
}
