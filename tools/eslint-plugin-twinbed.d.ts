// Types for the plain-JS local ESLint plugin, so TypeScript tests can import it.
import type { ESLint, Rule } from 'eslint';

export declare const LAYERS: readonly string[];
export declare const ALLOWED_IMPORTS: Readonly<Record<string, readonly string[]>>;

declare const plugin: ESLint.Plugin & { rules: { 'layer-boundaries': Rule.RuleModule } };
export default plugin;
