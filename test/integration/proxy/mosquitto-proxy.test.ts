import { startMosquitto } from './mosquitto';
import { proxyBehaviourSuite } from './proxy-behaviour';

// The acceptance criterion: the proxy works in front of a broker twinbed did not write. Each test starts its own
// Mosquitto (on a free port, never 1883) and stops it afterwards.
proxyBehaviourSuite('Mosquitto', () => startMosquitto(), { mqtt5: true });
