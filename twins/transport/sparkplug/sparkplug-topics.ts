// Sparkplug B topic namespace (spec 3.0 §4.1): spBv1.0/{group_id}/{message_type}/{edge_node_id}[/{device_id}]. Platform-free.
import { TwinbedError } from '../../../protocol';

/** [tck-id-topic-structure-namespace-a] The namespace element of Sparkplug B. */
export const SPARKPLUG_NAMESPACE = 'spBv1.0';

/** An id that cannot be a Sparkplug topic level; names the id and says how to fix it. */
export class SparkplugIdError extends TwinbedError {
  constructor(what: string, id: string) {
    super(
      'E_SPARKPLUG_ID',
      `sparkplug-b ${what} "${id}" cannot be a topic level: it must be non-empty and contain no "/", "+" or "#"; change the format's ${what} template`,
    );
  }
}

/** The topics of one edge node with one device, and the STATE topic of its primary host when it waits for one. */
export interface SparkplugTopics {
  nbirth: string;
  ndeath: string;
  ncmd: string;
  dbirth: string;
  ddata: string;
  ddeath: string;
  dcmd: string;
  state?: string;
}

export interface SparkplugIds {
  groupId: string;
  edgeNodeId: string;
  deviceId: string;
  primaryHostId?: string | undefined;
}

export function sparkplugTopics(ids: SparkplugIds): SparkplugTopics {
  // [tck-id-topic-structure-namespace-valid-group-id], [-valid-edge-node-id], [-valid-device-id]: no + / #.
  check('groupId', ids.groupId);
  check('edgeNodeId', ids.edgeNodeId);
  check('deviceId', ids.deviceId);
  const node = (type: string) => `${SPARKPLUG_NAMESPACE}/${ids.groupId}/${type}/${ids.edgeNodeId}`;
  const device = (type: string) => `${node(type)}/${ids.deviceId}`;
  const topics: SparkplugTopics = {
    nbirth: node('NBIRTH'),
    ndeath: node('NDEATH'),
    ncmd: node('NCMD'),
    dbirth: device('DBIRTH'),
    ddata: device('DDATA'),
    ddeath: device('DDEATH'),
    dcmd: device('DCMD'),
  };
  if (ids.primaryHostId !== undefined) {
    check('primaryHostId', ids.primaryHostId);
    topics.state = stateTopic(ids.primaryHostId);
  }
  return topics;
}

/** [tck-id-host-topic-phid-birth-topic] spBv1.0/STATE/sparkplug_host_id. */
export function stateTopic(hostId: string): string {
  return `${SPARKPLUG_NAMESPACE}/STATE/${hostId}`;
}

function check(what: string, id: string): void {
  if (id === '' || /[/+#]/.test(id)) throw new SparkplugIdError(what, id);
}
