/** Timing for the benchmarks: latency percentiles of single calls, mean wall and CPU time of repeated ones. */

/** p50 and p99 of `runs` calls of `f` after a warm-up, as one line, and the p50 in ms. */
export function latency(runs: number, f: () => void): { text: string; p50: number } {
  for (let i = 0; i < Math.min(20, runs); i++) f();
  const times: number[] = [];
  for (let i = 0; i < runs; i++) {
    const started = performance.now();
    f();
    times.push(performance.now() - started);
  }
  times.sort((a, b) => a - b);
  const at = (p: number) => times[Math.min(times.length - 1, Math.floor(p * times.length))] ?? NaN;
  return { text: `p50 ${at(0.5).toFixed(3)} ms, p99 ${at(0.99).toFixed(3)} ms (${runs} runs)`, p50: at(0.5) };
}

/**
 * Mean wall time per call, and this process's CPU time per call: on a shared machine the wall time
 * counts the waits for a core, the CPU time only the work.
 */
export function meanTime(runs: number, f: () => void): { wall: number; cpu: number } {
  f();
  const started = performance.now();
  const cpuStarted = process.cpuUsage();
  for (let i = 0; i < runs; i++) f();
  const cpu = process.cpuUsage(cpuStarted);
  return { wall: (performance.now() - started) / runs, cpu: (cpu.user + cpu.system) / 1000 / runs };
}
