import type { AedesOptions } from 'aedes';
import { TwinbedError } from '../protocol';

type AuthorizePublish = NonNullable<AedesOptions['authorizePublish']>;
type AuthorizeSubscribe = NonNullable<AedesOptions['authorizeSubscribe']>;

/**
 * aedes' own `authorizePublish` default refuses these topics; passing a hook replaces the default, so it is kept here,
 * ahead of any hook: a client publishing broker statistics is refused whatever the caller's policy (MQTT 3.1.1
 * §4.7.2: topics that start with `$` are the server's).
 */
const SYS_PREFIX = '$SYS/';

/**
 * aedes `authorizePublish` and `authorizeSubscribe` hooks that close the connection on a Topic Name or Topic Filter
 * holding U+0000, which aedes lets through, then call the user's hooks of the same name.
 */
export function topicRules(user: Pick<AedesOptions, 'authorizePublish' | 'authorizeSubscribe'>): {
  authorizePublish: AuthorizePublish;
  authorizeSubscribe: AuthorizeSubscribe;
} {
  return {
    authorizePublish(client, packet, done) {
      // [MQTT-1.5.3-2] a string holding U+0000 closes the connection (aedes closes on a refused PUBLISH)
      if (packet.topic.includes('\u0000')) return done(nullCharacter('Topic Name'));
      if (packet.topic.startsWith(SYS_PREFIX)) return done(new Error(`${SYS_PREFIX} topic is reserved`));
      if (user.authorizePublish) return user.authorizePublish(client, packet, done);
      done(null);
    },
    authorizeSubscribe(client, subscription, done) {
      // [MQTT-1.5.3-2] likewise for a Topic Filter (aedes closes on a SUBSCRIBE refused with an error)
      if (subscription.topic.includes('\u0000')) return done(nullCharacter('Topic Filter'), null);
      if (user.authorizeSubscribe) return user.authorizeSubscribe(client, subscription, done);
      done(null, subscription);
    },
  };
}

function nullCharacter(what: string): TwinbedError {
  return new TwinbedError('E_MQTT_MALFORMED', `the ${what} holds U+0000, which MQTT strings must not [MQTT-1.5.3-2]; the connection is closed`);
}
