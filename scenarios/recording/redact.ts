/** Field names whose values never go into a recording: a recording is shared, a password must not travel with it. */
const SECRET_KEY = /pass(word)?|secret|token|key$/i;

/**
 * A copy of a config with secrets replaced by `<redacted>`: values of password-like fields, and the password in a
 * URL's user info. File paths (passwordFile, key files) are kept: they say where a secret is, not what it is.
 */
export function redactSecrets(value: unknown): unknown {
  if (typeof value === 'string') return redactUrl(value);
  if (Array.isArray(value)) return value.map(redactSecrets);
  if (value === null || typeof value !== 'object') return value;
  return Object.fromEntries(
    Object.entries(value).map(([key, inner]) => [key, SECRET_KEY.test(key) && !/file|dir$/i.test(key) && typeof inner === 'string' ? '<redacted>' : redactSecrets(inner)]),
  );
}

function redactUrl(text: string): string {
  return text.replace(/^([a-z][a-z0-9+.-]*:\/\/[^:/@\s]*):[^@/\s]*@/i, '$1:<redacted>@');
}
