// Names in topics, client ids, credentials and payload keys: `plant/{site}/{device}/{sensor}`. Platform-free.

/** The placeholders a template may use, with what each stands for. */
export const TEMPLATE_VARIABLES = {
  site: 'the scenario site',
  device: 'the device (twin) id',
  sensor: 'the sensor name',
  index: 'the device\'s position in the fleet, from 0',
} as const;

export type TemplateVariable = keyof typeof TEMPLATE_VARIABLES;
export type TemplateValues = Partial<Record<TemplateVariable, string | number>>;

const PLACEHOLDER = /\{([^{}]*)\}/g;

/** The placeholders `template` uses, in order of first use. */
export function placeholdersOf(template: string): string[] {
  return [...new Set([...template.matchAll(PLACEHOLDER)].map((m) => m[1]!))];
}

/**
 * What is wrong with `template` if it may use only `allowed`: an unknown placeholder (a typo such as `{devce}`)
 * would otherwise reach the broker as literal text. Undefined when it is fine.
 */
export function templateProblem(template: string, allowed: readonly TemplateVariable[]): string | undefined {
  for (const name of placeholdersOf(template)) {
    if (!(allowed as readonly string[]).includes(name)) {
      return `unknown placeholder {${name}}; this template may use ${allowed.map((a) => `{${a}}`).join(', ')}`;
    }
  }
  return undefined;
}

/** Fills every placeholder; one without a value is an error, never left in the output. */
export function expandTemplate(template: string, values: TemplateValues): string {
  return template.replace(PLACEHOLDER, (whole, name: string) => {
    const value = values[name as TemplateVariable];
    if (value === undefined) throw new RangeError(`template "${template}" needs {${name}}, which is not known here`);
    return String(value);
  });
}

/**
 * A matcher for topics built from `template`: a topic that fits gives back the placeholder values, so a command
 * on `plant/{site}/{device}/cmd` is routed to its device. Placeholders match exactly one topic level.
 */
export function topicMatcher(template: string): (topic: string) => Record<string, string> | undefined {
  const names: string[] = [];
  const pattern = template
    .split(PLACEHOLDER)
    .map((part, i) => {
      if (i % 2 === 1) {
        names.push(part);
        return '([^/]+)';
      }
      return part.replace(/[.*+?^$()|[\]\\]/g, '\\$&');
    })
    .join('');
  const regex = new RegExp(`^${pattern}$`);
  return (topic) => {
    const match = regex.exec(topic);
    if (!match) return undefined;
    return Object.fromEntries(names.map((name, i) => [name, match[i + 1]!]));
  };
}
