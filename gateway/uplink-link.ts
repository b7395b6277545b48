import type { LinkChannel, MqttClient } from '../sim';
import type { UplinkClient } from './store';

/**
 * The forwarder's uplink through a simulated link (in-process runs): a publish crosses the link first and reaches
 * the real client when (and as often as) the link delivers it. A QoS 0 publish counts as done once handed to the
 * link: a lost one never calls back, and must not hold a slot of the forwarder's window for ever.
 */
export function linkUplink(client: MqttClient, link: LinkChannel): UplinkClient {
  return {
    get connected() {
      return client.connected;
    },
    publish(topic, payload, options, callback) {
      link.send({ bytes: payload.byteLength, qos: options.qos }, () => {
        client.publish(topic, payload, options, options.qos === 1 ? callback : undefined);
      });
      if (options.qos === 0) callback();
    },
    on: (event: 'connect' | 'close', listener: () => void) => client.on(event, listener),
    removeListener: (event: 'connect' | 'close', listener: () => void) => client.removeListener(event, listener),
  };
}
