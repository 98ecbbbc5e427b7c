// A process that does nothing but wake every millisecond and note how late it woke. Whatever
// delays it (the host pausing the virtual machine, or the other processes holding both cores)
// delays Herald, the receiver and the load generator just the same, so its stalls show how
// much of a latency tail the machine adds by itself. Talks to the harness over IPC.
export type StallStats = { seconds: number; stalls: number; lateMs: number; maxMs: number };

/** A wake-up later than this counts as a stall: the latency target's own budget. */
const stallMs = 5;

let since = performance.now();
let last = since;
let stalls = 0;
let lateMs = 0;
let maxMs = 0;

setInterval(() => {
  const now = performance.now();
  const late = now - last - 1;
  last = now;
  if (late < stallMs) return;
  stalls++;
  lateMs += late;
  maxMs = Math.max(maxMs, late);
}, 1);

process.on('message', (message: { type: string }) => {
  if (message.type === 'reset') {
    since = performance.now();
    stalls = 0;
    lateMs = 0;
    maxMs = 0;
    process.send?.({ type: 'reset' });
  }
  if (message.type === 'stats') {
    const stats: StallStats = {
      seconds: (performance.now() - since) / 1000,
      stalls,
      lateMs,
      maxMs,
    };
    process.send?.(stats);
  }
  if (message.type === 'stop') process.exit(0);
});
process.send?.({ type: 'ready' });
