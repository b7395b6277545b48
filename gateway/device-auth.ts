/** Checks a device's credentials; the gateway passes the registry's scrypt check, or nothing for an open site. */
export type DeviceAuthenticator = (device: string, secret: string) => Promise<boolean>;

/**
 * Where a payload came from: an MQTT topic (the payload must match it), or a request authenticated as a device
 * (HTTP, CoAP: the payload must name that device; `device` undefined on an open site).
 */
export type IngestRoute = { topic: string } | { device: string | undefined; via: 'http' | 'coap' };

export type IngestResult = { accepted: true } | { accepted: false; reason: string };

/** The ingest entry every front door (MQTT, HTTP, CoAP) calls; returns the dead-letter reason on rejection. */
export type Ingest = (payload: Buffer, route: IngestRoute, qos?: 0 | 1 | 2) => Promise<IngestResult>;
