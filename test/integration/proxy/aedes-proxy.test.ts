import { startBroker } from '../../../sim/index';
import { proxyBehaviourSuite } from './proxy-behaviour';

// aedes 1.x speaks MQTT 3.1.1 only; the v5 pass-through runs against Mosquitto.
proxyBehaviourSuite(
  'aedes',
  async () => {
    const broker = await startBroker();
    return { port: broker.port, close: () => broker.close() };
  },
  { mqtt5: false },
);
