import { createHash } from 'node:crypto';
import type { ReplyV1 } from '../../../../protocol';
import type { ModelRecord, StateStore } from '../../../../cloud/records';
import type { RolloutAction, RolloutController, RolloutPorts } from '../../../../cloud/lifecycle';

/** A StateStore that keeps JSON text, as the SQL engines do: what it returns is a copy that went through JSON. */
export class MemoryState implements StateStore {
  readonly text = new Map<string, string>();

  async loadState(key: string): Promise<unknown> {
    const text = this.text.get(key);
    return text === undefined ? undefined : JSON.parse(text);
  }

  async saveState(key: string, value: unknown): Promise<void> {
    this.text.set(key, JSON.stringify(value));
  }
}

export interface SentCommand {
  id: string;
  gateway: string;
  action: RolloutAction;
  args: Record<string, unknown>;
  reason: string;
}

const MODEL_BYTES = Uint8Array.of(0x08, 0x07, 0x12, 0x04, 0x74, 0x77, 0x69, 0x6e);

export const MODEL: ModelRecord = {
  version: '1.1.0',
  sha256: createHash('sha256').update(MODEL_BYTES).digest('hex'),
  signature: 'c2lnbmF0dXJlLW92ZXItdGhlLWJ5dGVz',
  keyId: 'fleet-2026',
  createdMs: 0,
  trainedOn: 'pump-1 healthy windows 0–600 s',
  manifest: {},
  bytes: MODEL_BYTES,
};

/** Gateways driven by hand: records what the controller sends and answers it when told to. */
export class FakeFleet {
  readonly sent: SentCommand[] = [];
  readonly state: StateStore;
  #next = 1;

  constructor(state: StateStore = new MemoryState()) {
    this.state = state;
  }

  ports(): RolloutPorts {
    return {
      send: (gateway, action, args, reason) => {
        const id = `cmd-${this.#next++}`;
        this.sent.push({ id, gateway, action, args, reason });
        return id;
      },
      getModel: async (version) => (version === MODEL.version ? MODEL : undefined),
      state: this.state,
    };
  }

  /** "gateway action" of every command sent from `from` on. */
  log(from = 0): string[] {
    return this.sent.slice(from).map((c) => `${c.gateway} ${c.action}`);
  }

  /** The latest command sent to the gateway. */
  last(gateway: string): SentCommand {
    const command = this.sent.findLast((c) => c.gateway === gateway);
    if (!command) throw new Error(`nothing was sent to ${gateway}`);
    return command;
  }

  /** Answers the latest command sent to the gateway. */
  reply(controller: RolloutController, gateway: string, outcome: { ok: true } | { ok: false; code: string; error: string }, tsMs = 1_000): Promise<boolean> {
    return controller.onReply(gateway, replyTo(this.last(gateway), outcome, tsMs));
  }

  /** Feeds `count` windows scored by `version`, the first `over` of them over the threshold (score 2 against 1). */
  async windows(controller: RolloutController, gateway: string, count: number, over = 0, version = MODEL.version): Promise<void> {
    for (let i = 0; i < count; i++) {
      await controller.onWindow(gateway, { device: `${gateway}-pump`, tsMs: 2_000 + i, model: { version, score: i < over ? 2 : 0.5, threshold: 1 } });
    }
  }

  /** Stage, activate and `windows` clean windows: the gateway finishes. */
  async finish(controller: RolloutController, gateway: string, windows: number): Promise<void> {
    await this.reply(controller, gateway, { ok: true });
    await this.reply(controller, gateway, { ok: true });
    await this.windows(controller, gateway, windows);
  }
}

export function replyTo(command: SentCommand, outcome: { ok: true } | { ok: false; code: string; error: string }, tsMs: number): ReplyV1 {
  return { type: 'reply', v: 1, device: command.gateway, tsMs, id: command.id, action: command.action, ...outcome };
}
