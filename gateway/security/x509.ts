import type * as X509 from '@peculiar/x509';

export type X509Module = typeof X509;

let loading: Promise<X509Module> | undefined;

/**
 * @peculiar/x509, loaded on first use: it costs ~150 ms to load, which only certificate issuing should pay, not
 * every process that imports the gateway. It resolves its ASN.1 classes through tsyringe, which needs the Reflect
 * metadata API when it loads, so the polyfill is evaluated first.
 */
export function loadX509(): Promise<X509Module> {
  loading ??= import('reflect-metadata').then(() => import('@peculiar/x509'));
  return loading;
}
