/** A `${VAR}` in a config file that the environment does not set, and where it is. */
export interface EnvProblem {
  path: (string | number)[];
  message: string;
}

/**
 * Expands `${VAR}` and `${VAR:-default}` in every string of a parsed YAML value, so CI can inject ports, URLs and
 * secrets into a target or gateway file. `$${VAR}` stays a literal `${VAR}`. An unset variable without a default is a problem
 * at its field, never an empty string that would connect somewhere unexpected.
 */
export function expandEnv(value: unknown, env: Readonly<Record<string, string | undefined>>, problems: EnvProblem[], path: (string | number)[] = []): unknown {
  if (typeof value === 'string') {
    return value.replace(/(\$?)\$\{([A-Za-z_][A-Za-z0-9_]*)(?::-([^}]*))?\}/g, (whole, escape: string, name: string, fallback: string | undefined) => {
      if (escape) return whole.slice(1);
      const set = env[name];
      if (set !== undefined && set !== '') return set;
      if (fallback !== undefined) return fallback;
      problems.push({ path, message: `\${${name}} is not set in the environment (export ${name}=… or write \${${name}:-default})` });
      return whole;
    });
  }
  if (Array.isArray(value)) return value.map((item, i) => expandEnv(item, env, problems, [...path, i]));
  if (value && typeof value === 'object') {
    return Object.fromEntries(Object.entries(value).map(([key, item]) => [key, expandEnv(item, env, problems, [...path, key])]));
  }
  return value;
}
