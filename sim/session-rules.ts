import type { Aedes, AedesOptions, AedesPublishPacket, Client, Subscription } from 'aedes';

// Session and delivery rules of MQTT 3.1.1 that aedes 1.x gets wrong, put right through its public hooks and by
// wrapping four methods of its persistence (the in-memory one unless the caller passes another).

type QoS = 0 | 1 | 2;
type AuthorizeSubscribe = NonNullable<AedesOptions['authorizeSubscribe']>;
type AuthorizeForward = NonNullable<AedesOptions['authorizeForward']>;

/** The part of the aedes persistence contract the rules wrap. */
interface Persistence {
  subscriptionsByClient(client: { id: string }): Promise<Subscription[]>;
  outgoingEnqueueCombi(subs: Array<{ clientId: string; qos: number }>, packet: AedesPublishPacket): Promise<void>;
  outgoingUpdate(client: Client, packet: { cmd: string; messageId?: number; dup?: boolean }): Promise<void>;
  outgoingClearMessageId(client: Client, packet: { messageId?: number }): Promise<unknown>;
}

export interface SessionRules {
  /** Pass these to aedes; they call the user's hooks of the same name. */
  readonly hooks: { authorizeSubscribe: AuthorizeSubscribe; authorizeForward: AuthorizeForward };
  /** Wraps the started broker's persistence and follows its clients. Call once, right after `Aedes.createBroker`. */
  attach(aedes: Aedes): void;
}

export function sessionRules(user: Pick<AedesOptions, 'authorizeSubscribe' | 'authorizeForward'>): SessionRules {
  /** Client ids with a stored session: connected with CleanSession 0 and not since with CleanSession 1. */
  const stored = new Set<string>();
  /** Stand-ins for an empty stored session; `authorizeSubscribe` drops them when aedes restores the session. */
  const standIns = new WeakSet<Subscription>();
  /** The QoS granted to each of a connection's Topic Filters. */
  const granted = new WeakMap<Client, Map<string, QoS>>();
  /** Per client id, Packet Identifiers of PUBLISH packets sent once and not yet acknowledged. */
  const sent = new Map<string, Set<number>>();

  const grantsOf = (client: Client): Map<string, QoS> => {
    let grants = granted.get(client);
    if (!grants) granted.set(client, (grants = new Map()));
    return grants;
  };

  const authorizeSubscribe: AuthorizeSubscribe = (client, subscription, done) => {
    if (standIns.has(subscription)) return done(null, null);
    const record: Parameters<AuthorizeSubscribe>[2] = (error, result) => {
      if (!error && result) grantsOf(client).set(result.topic, result.qos);
      done(error, result);
    };
    if (user.authorizeSubscribe) user.authorizeSubscribe(client, subscription, record);
    else record(null, subscription);
  };

  const authorizeForward: AuthorizeForward = (client, packet) => {
    // [MQTT-3.8.4-6] [MQTT-3.3.5-1] at most the highest QoS granted to a matching filter; aedes only looks up a
    // filter equal to the topic name, so a message on a wildcard subscription kept its published QoS.
    const ceiling = highestGrant(granted.get(client), packet.topic);
    const forwarded = ceiling !== undefined && packet.qos > ceiling ? { ...packet, qos: ceiling } : packet;
    return user.authorizeForward ? user.authorizeForward(client, forwarded) : forwarded;
  };

  function attach(aedes: Aedes): void {
    const persistence = (aedes as unknown as { persistence: Persistence }).persistence;
    const subscriptionsByClient = persistence.subscriptionsByClient.bind(persistence);
    const outgoingEnqueueCombi = persistence.outgoingEnqueueCombi.bind(persistence);
    const outgoingUpdate = persistence.outgoingUpdate.bind(persistence);
    const outgoingClearMessageId = persistence.outgoingClearMessageId.bind(persistence);

    persistence.subscriptionsByClient = async (client) => {
      const subscriptions = await subscriptionsByClient(client);
      if (subscriptions.length > 0 || !stored.has(client.id)) return subscriptions;
      // [MQTT-3.2.2-2] a stored session sets Session Present even when it holds no subscription; aedes sets it
      // only when it restores one, so it gets a stand-in.
      const standIn: Subscription = { topic: '$twinbed/stored-session', qos: 0 };
      standIns.add(standIn);
      return [standIn];
    };

    persistence.outgoingEnqueueCombi = async (subs, packet) => {
      // [MQTT-3.8.4-6] a message stored for an absent client goes out at the QoS its subscription was granted
      const byQos = new Map<QoS, typeof subs>();
      for (const sub of subs) {
        const qos = (typeof sub.qos === 'number' ? Math.min(sub.qos, packet.qos) : packet.qos) as QoS;
        byQos.set(qos, [...(byQos.get(qos) ?? []), sub]);
      }
      for (const [qos, group] of byQos) await outgoingEnqueueCombi(group, qos === packet.qos ? packet : { ...packet, qos });
    };

    persistence.outgoingUpdate = async (client, packet) => {
      await outgoingUpdate(client, packet);
      if (packet.messageId === undefined) return;
      const ids = sent.get(client.id) ?? new Set<number>();
      sent.set(client.id, ids);
      // A PUBREL has taken the PUBLISH's place in the queue: the PUBLISH is never sent again.
      if (packet.cmd !== 'publish') ids.delete(packet.messageId);
      // [MQTT-3.3.1-1] a PUBLISH sent again, as on reconnect [MQTT-4.4.0-1], carries DUP 1
      else if (ids.has(packet.messageId)) packet.dup = true;
      else ids.add(packet.messageId);
    };

    persistence.outgoingClearMessageId = async (client, packet) => {
      if (packet.messageId !== undefined) sent.get(client.id)?.delete(packet.messageId);
      return outgoingClearMessageId(client, packet);
    };

    aedes.on('clientReady', (client) => {
      if (client.clean) {
        // [MQTT-3.1.2-6] CleanSession 1 discards the session, and nothing of it is kept for a later one.
        stored.delete(client.id);
        sent.delete(client.id);
      } else {
        stored.add(client.id);
      }
    });
    aedes.on('unsubscribe', (filters, client) => {
      const grants = granted.get(client);
      for (const filter of filters) grants?.delete(filter);
    });
  }

  return { hooks: { authorizeSubscribe, authorizeForward }, attach };
}

/** Highest QoS granted to any of `grants`' filters that matches `topic`; undefined when none does. */
function highestGrant(grants: ReadonlyMap<string, QoS> | undefined, topic: string): QoS | undefined {
  let highest: QoS | undefined;
  for (const [filter, qos] of grants ?? []) {
    if ((highest === undefined || qos > highest) && topicMatches(filter, topic)) highest = qos;
  }
  return highest;
}

/** Topic Filter matching, §4.7: "+" is one level, "#" the parent and all below; [MQTT-4.7.2-1] wildcards skip "$…". */
export function topicMatches(filter: string, topic: string): boolean {
  if (topic.startsWith('$') && (filter.startsWith('+') || filter.startsWith('#'))) return false;
  const filterLevels = filter.split('/');
  const topicLevels = topic.split('/');
  for (let i = 0; i < filterLevels.length; i++) {
    const level = filterLevels[i];
    if (level === '#') return true;
    if (i >= topicLevels.length) return false;
    if (level !== '+' && level !== topicLevels[i]) return false;
  }
  return filterLevels.length === topicLevels.length;
}
