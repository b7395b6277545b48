import { TwinbedError } from '../../protocol';

/**
 * A failure of the MQTT impairment proxy. Codes: `E_PROXY_PROTOCOL` (a peer sent bytes that are not MQTT),
 * `E_PROXY_LISTEN` (the listen or API address cannot be bound), `E_PROXY_UPSTREAM` (the broker is unreachable),
 * `E_PROXY_CONFIG` (an invalid listen/upstream address or impairment).
 */
export class ProxyError extends TwinbedError {
  constructor(code: 'E_PROXY_PROTOCOL' | 'E_PROXY_LISTEN' | 'E_PROXY_UPSTREAM' | 'E_PROXY_CONFIG', message: string, options?: { cause?: unknown }) {
    super(code, message, options);
  }
}
