// The baseline of `npm run bench -- fleet`, run as its own process: one default mqtt.connect() client per device,
// each publishing a payload of the twins' size at QoS 1 on its own timer, as someone would write a load test first.
// Prints one JSON line: what it sent, PUBACK latencies, and its own CPU and RSS.
import mqtt from 'mqtt';

const [url, devicesArg, rateArg, secondsArg, payloadArg] = process.argv.slice(2);
const devices = Number(devicesArg);
const periodMs = 1000 / Number(rateArg);
const seconds = Number(secondsArg);
const payload = Buffer.alloc(Number(payloadArg), 0x5a);

const cpuStart = process.cpuUsage();
const rssBefore = process.memoryUsage.rss();
const latencies = [];
let sent = 0;
let acked = 0;
let failed = 0;
const errors = {};
const clients = [];
const connectStarted = performance.now();
await Promise.all(
  Array.from({ length: devices }, (_, i) =>
    new Promise((resolve) => {
      const client = mqtt.connect(url, { clientId: `naive-${i}` });
      clients.push(client);
      client.on('error', (error) => (errors[error.code ?? error.message] = (errors[error.code ?? error.message] ?? 0) + 1));
      client.once('connect', resolve);
    }),
  ),
);
const connectS = (performance.now() - connectStarted) / 1000;
const publishStarted = performance.now();
const cpuPublishStart = process.cpuUsage();
let rssLow = Infinity;
const sampler = setInterval(() => (rssLow = Math.min(rssLow, process.memoryUsage.rss())), 1000);
const timers = clients.map((client, i) => {
  const topic = `naive/fleet/${i}/telemetry/ambient-temp`;
  let n = 0;
  const publish = () => {
    if (n++ >= seconds * (1000 / periodMs)) return;
    sent++;
    const at = performance.now();
    client.publish(topic, payload, { qos: 1 }, (error) => {
      if (error) failed++;
      else {
        acked++;
        latencies.push(performance.now() - at);
      }
    });
  };
  // Each client starts its timer when its turn comes: spread over one period, as the twins spread theirs.
  return setTimeout(() => {
    publish();
    timers[i] = setInterval(publish, periodMs);
  }, (i / devices) * periodMs);
});
await new Promise((resolve) => setTimeout(resolve, seconds * 1000));
for (const timer of timers) clearInterval(timer);
const drainDeadline = performance.now() + 30_000;
while (acked + failed < sent && performance.now() < drainDeadline) await new Promise((resolve) => setTimeout(resolve, 20));
const publishS = (performance.now() - publishStarted) / 1000;
const cpu = process.cpuUsage(cpuStart);
const publishCpu = process.cpuUsage(cpuPublishStart);
clearInterval(sampler);
await Promise.all(clients.map((c) => c.endAsync()));
latencies.sort((a, b) => a - b);
const pick = (p) => latencies[Math.min(latencies.length - 1, Math.floor((p / 100) * latencies.length))] ?? 0;
process.stdout.write(
  `${JSON.stringify({
    devices,
    connected: clients.filter((c) => c.connected || c.disconnecting).length,
    sent,
    acked,
    failed,
    connectS,
    publishS,
    cpuS: (cpu.user + cpu.system) / 1e6,
    publishCpuS: (publishCpu.user + publishCpu.system) / 1e6,
    rssBeforeMb: rssBefore / 2 ** 20,
    rssLowMb: rssLow / 2 ** 20,
    rssPeakMb: (process.resourceUsage().maxRSS * 1024) / 2 ** 20,
    pubackP50Ms: pick(50),
    pubackP99Ms: pick(99),
    pubackMaxMs: latencies.at(-1) ?? 0,
    errors,
  })}\n`,
);
process.exit(0);
