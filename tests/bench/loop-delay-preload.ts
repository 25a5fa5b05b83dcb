// Loaded into the bench's portal with `node --import`, never by the product: the server's own
// event-loop delay, measured inside it. On SIGUSR2 (SIGUSR1 would open the inspector) it prints
// the figures since the last signal and starts over; the bench reads the line from stdout.
//
// On a shared two-core machine an idle Node process already sees its loop ~60–90 ms late now and
// then: it was runnable but had no core. So beside the delay it reports how long the main thread
// itself ran between two 5 ms ticks (its on-CPU time, from the kernel's schedstat), which is what
// a request holding the loop costs whatever else the machine is doing.
import { readFileSync } from 'node:fs';
import { monitorEventLoopDelay } from 'node:perf_hooks';

const histogram = monitorEventLoopDelay({ resolution: 5 });
histogram.enable();

const SCHEDSTAT = `/proc/self/task/${process.pid}/schedstat`;
const onCpuMs = () => Number(readFileSync(SCHEDSTAT, 'utf8').split(' ')[0]) / 1e6;
let lastCpu = onCpuMs();
let maxRunMs = 0;
setInterval(() => {
  const cpu = onCpuMs();
  maxRunMs = Math.max(maxRunMs, cpu - lastCpu);
  lastCpu = cpu;
}, 5).unref();

process.on('SIGUSR2', () => {
  const figures = { maxMs: histogram.max / 1e6, p99Ms: histogram.percentile(99) / 1e6, maxRunMs };
  histogram.reset();
  maxRunMs = 0;
  lastCpu = onCpuMs();
  process.stdout.write(`loop-delay ${JSON.stringify(figures)}\n`);
});
