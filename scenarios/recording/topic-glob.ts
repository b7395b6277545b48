/**
 * A matcher for a topic glob: MQTT wildcards (`+` one level, `#` the rest) and shell-style ones (`*` any text within
 * a level, `**` any number of levels), e.g. `twinbed/v1/+/pump-1/telemetry/*` or `twinbed-truth/**`.
 */
export function topicGlobMatcher(glob: string): (topic: string) => boolean {
  const levels = glob.split('/');
  const pattern = levels
    .map((level, i) => {
      if (level === '#' || level === '**') return i === 0 ? '.*' : '(?:/.*)?';
      const body = level === '+' ? '[^/]*' : level.split('*').map(escape).join('[^/]*');
      return i === 0 ? body : `/${body}`;
    })
    .join('');
  const regex = new RegExp(`^${pattern}$`);
  return (topic) => regex.test(topic);
}

function escape(text: string): string {
  return text.replace(/[.+?^${}()|[\]\\]/g, '\\$&');
}
