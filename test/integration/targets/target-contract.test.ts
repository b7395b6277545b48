import { Gateway, GatewayConfigSchema } from '../../../gateway';
import { TargetSchema, TWINBED_OBSERVATION } from '../../../scenarios';
import { ScaledRealClock } from '../../../sim';
import { startMosquitto } from '../proxy/mosquitto';
import { targetContract } from './target-contract';

// (i) twinbed's embedded gateway and cloud, in this process.
targetContract('the embedded target', async () => ({
  target: { target: { kind: 'embedded', skip: [] }, name: 'embedded', baseDir: process.cwd() },
  stop: async () => {},
}));

// (ii) `twinbed gateway` (Gateway.start, in this process) between two Mosquittos, judged from the outside as an
// mqtt target: twins publish to the device broker, the observer reads the upstream one, as external.yaml does.
targetContract('an mqtt target in front of twinbed gateway between two Mosquittos', async (scenario) => {
  // At virtual time the twins publish faster than the gateway takes readings in: let Mosquitto queue them all.
  const devices = await startMosquitto(['max_queued_messages 0']);
  const upstream = await startMosquitto(['max_queued_messages 0']);
  const devicesUrl = `mqtt://127.0.0.1:${devices.port}`;
  const upstreamUrl = `mqtt://127.0.0.1:${upstream.port}`;
  const closeBrokers = async () => {
    await devices.close();
    await upstream.close();
  };
  try {
    const target = TargetSchema.parse({
      kind: 'mqtt',
      devices: { url: devicesUrl },
      // The mapping twinbed observes its own stack with, spelled out in scenarios/targets/external.yaml.
      observe: { url: upstreamUrl, topics: TWINBED_OBSERVATION.topics },
      settle: { quietMs: 1000, timeoutS: 60 },
    });
    const gateway = await Gateway.start({
      config: GatewayConfigSchema.parse({ site: scenario.site, id: 'gw-1', devices: { url: devicesUrl }, upstream: { url: upstreamUrl }, ...scenario.gateway }),
      // As the gateway process runs it: on wall time; its windows and rules run on the event time readings carry.
      clock: new ScaledRealClock(),
    });
    return {
      target: { target, name: 'mqtt target (twinbed gateway)', baseDir: process.cwd() },
      stop: async () => {
        await gateway.stop();
        await closeBrokers();
      },
    };
  } catch (error) {
    await closeBrokers();
    throw error;
  }
});
