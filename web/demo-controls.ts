import express, { type Router } from 'express';
import { stringify } from 'yaml';
import { z } from 'zod';

/** A simulated link's state, as the link panel shows it. */
export interface LinkStatus {
  name: string;
  partitioned: boolean;
  lossPct: number;
  latencyMs: number;
  /** Messages the link delivered, dropped and holds now, when it counts them. */
  delivered?: number;
  dropped?: number;
  queued?: number;
}

/**
 * What the page's demo controls do to a running stack. Every control is also a scenario step, so `steps()` can
 * save a demo as a scenario. Implemented by the CLI over the scenario stack; the web layer only calls it.
 */
export interface DemoControls {
  /** Starts a fault on a machine now; resolves to what the twin said and the event time it began. */
  fault(device: string, fault: { type: string; severity?: number; component?: string }): Promise<{ outcome: string; atMs: number }>;
  /** Changes a machine's operating point now. */
  operate(device: string, change: { speedRpm?: number; load?: number }): Promise<string>;
  /** Loss and latency on a link; `partitioned` cuts it (messages wait or drop by their QoS) until set false. */
  impair(link: string, impairment: { lossPct?: number; latencyMs?: number; partitioned?: boolean }): Promise<void>;
  links(): LinkStatus[];
  /** Pauses or resumes simulated time, or changes its pace (×1 is real time). */
  pace(change: { paused?: boolean; timeScale?: number }): void;
  /** The controls used so far, as scenario steps and link changes. */
  saved(): { steps: unknown[]; links: unknown[] };
  /** The running scenario with those appended: the demo saved as a scenario that replays it. */
  scenario(): unknown;
}

const FaultBody = z.object({ device: z.string().min(1), type: z.string().min(1), severity: z.number().min(0).max(1).optional(), component: z.string().optional() }).strict();
const OperateBody = z.object({ device: z.string().min(1), speedRpm: z.number().nonnegative().optional(), load: z.number().min(0).max(1.5).optional() }).strict();
const LinkBody = z
  .object({ link: z.string().min(1), lossPct: z.number().min(0).max(100).optional(), latencyMs: z.number().min(0).max(60_000).optional(), partitioned: z.boolean().optional() })
  .strict();
const PaceBody = z.object({ paused: z.boolean().optional(), timeScale: z.number().positive().max(1000).optional() }).strict();

/** The control API: POST bodies checked with zod, a 400 naming the wrong field, the twin's answer on success. */
export function controlRoutes(controls: DemoControls): Router {
  const router = express.Router();
  router.use(express.json());
  const handle =
    <T>(schema: z.ZodType<T>, act: (body: T) => Promise<unknown> | unknown) =>
    async (req: express.Request, res: express.Response) => {
      const parsed = schema.safeParse(req.body);
      if (!parsed.success) {
        const issue = parsed.error.issues[0]!;
        res.status(400).json({ error: `${issue.path.join('.') || 'body'}: ${issue.message}` });
        return;
      }
      try {
        const done = await act(parsed.data);
        res.json({ ok: true, ...(typeof done === 'object' && done !== null ? done : { outcome: done ?? null }) });
      } catch (error) {
        res.status(409).json({ error: (error as Error).message });
      }
    };
  router.post('/api/control/fault', handle(FaultBody, ({ device, ...fault }) => controls.fault(device, fault)));
  router.post('/api/control/operate', handle(OperateBody, ({ device, ...change }) => controls.operate(device, change)));
  router.post('/api/control/link', handle(LinkBody, ({ link, ...impairment }) => controls.impair(link, impairment)));
  router.post('/api/control/pace', handle(PaceBody, (change) => controls.pace(change)));
  router.get('/api/control/links', (_req, res) => void res.json(controls.links()));
  router.get('/api/control/saved', (_req, res) => void res.json(controls.saved()));
  router.get('/api/control/scenario.yaml', (_req, res) => {
    res.type('application/yaml').attachment('demo-saved.yaml');
    res.send(`# Saved from the twinbed demo: the running scenario, the page's controls appended as steps and links.\n${stringify(controls.scenario())}`);
  });
  return router;
}
