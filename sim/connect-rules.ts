import type { AedesOptions, AuthenticateError, Client } from 'aedes';
import { TwinbedError } from '../protocol';

type PreConnect = NonNullable<AedesOptions['preConnect']>;
type Authenticate = NonNullable<AedesOptions['authenticate']>;

/**
 * The embedded broker refused a CONNECT. With `returnCode` it answers CONNACK with that code, then closes; without
 * one it closes at once, as [MQTT-3.1.4-1] demands for a CONNECT that breaks the rules of §3.1.
 */
export class ConnectRefusedError extends TwinbedError {
  readonly returnCode: AuthenticateError['returnCode'] | undefined;

  constructor(message: string, returnCode?: AuthenticateError['returnCode']) {
    super('E_MQTT_CONNECT_REFUSED', message);
    this.returnCode = returnCode;
  }
}

/** CONNACK return code 0x02, identifier rejected (MQTT 3.1.1 §3.2.2.3, Table 3.1). */
const IDENTIFIER_REJECTED = 2;

/**
 * aedes `preConnect` and `authenticate` hooks that apply the CONNECT rules of MQTT 3.1.1 aedes leaves out, then call
 * the user's hooks of the same name, which never see a CONNECT the rules refuse.
 */
export function connectRules(user: Pick<AedesOptions, 'preConnect' | 'authenticate'>): { preConnect: PreConnect; authenticate: Authenticate } {
  // aedes sends a CONNACK return code only from `authenticate`, so `preConnect` marks the client and it answers.
  const identifierRejected = new WeakSet<Client>();
  return {
    preConnect(client, packet, done) {
      // [MQTT-3.1.2-22] no Password Flag without the User Name Flag; [MQTT-3.1.4-1] such a CONNECT is closed unanswered
      if (packet.password !== undefined && packet.username === undefined) {
        return done(new ConnectRefusedError('CONNECT has a password but no user name [MQTT-3.1.2-22]; send both, or neither'), false);
      }
      // [MQTT-3.1.2-14] Will QoS 3 is malformed
      if (packet.will && (packet.will.qos as number) > 2) {
        return done(new ConnectRefusedError('CONNECT has Will QoS 3 [MQTT-3.1.2-14]; use 0, 1 or 2'), false);
      }
      // [MQTT-3.1.3-8] a zero-length client id with CleanSession 0 gets CONNACK 0x02 and the connection closes
      if (packet.clientId === '' && !packet.clean) {
        identifierRejected.add(client);
        return done(null, true);
      }
      if (!user.preConnect) return done(null, true);
      user.preConnect(client, packet, (error, accepted) => {
        // aedes leaves a connection refused without an error open and unanswered; [MQTT-3.2.2-6] closes it.
        done(error ?? (accepted ? null : new ConnectRefusedError('the preConnect hook refused the connection')), accepted);
      });
    },
    authenticate(client, username, password, done) {
      if (identifierRejected.has(client)) {
        const error = new ConnectRefusedError('a zero-length client id needs CleanSession 1 [MQTT-3.1.3-8]; set a client id to keep a session', IDENTIFIER_REJECTED);
        return done(error as AuthenticateError, false);
      }
      if (!user.authenticate) return done(null, true);
      user.authenticate(client, username, password, done);
    },
  };
}
