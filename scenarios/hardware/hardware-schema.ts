import { z } from 'zod';
import { IdSchema } from '../../protocol';
import { templateProblem, type TemplateVariable } from '../../twins';

// A twin bound to a physical device: where its lines come from (a serial port or a broker), how to read them, and
// where its commands go. Platform-free: scenario and target files are validated in the browser too.

const SensorBindingSchema = z
  .object({
    field: z.string().min(1).optional().describe('The JSON key or CSV column that carries it. Default: the sensor name.'),
    unit: z.string().min(1).max(16).describe('Unit of its values after scale and offset, e.g. `g`, `degC`.'),
    rateHz: z.number().positive().max(100_000).describe('Rate the device samples it at, Hz (on its own clock).'),
    blockSamples: z
      .number()
      .int()
      .min(1)
      .max(65_536)
      .optional()
      .describe('Samples per reading twinbed publishes into the target. Default: one second of samples (at least 1).'),
    scale: z.number().default(1).describe('Multiplies each raw value (ADC counts to g, say). Default 1.'),
    offset: z.number().default(0).describe('Added after scale, in the sensor unit. Default 0.'),
  })
  .strict();

const TimeSchema = z
  .object({
    field: z.string().min(1).default('t').describe('The JSON key or CSV column of the device\'s own clock. Default `t`.'),
    unit: z.enum(['ms', 's', 'us']).default('ms').describe('Unit of that clock: `ms`, `s` or `us`. Default `ms`.'),
    clock: z
      .enum(['device', 'receive'])
      .default('device')
      .describe(
        '`device`: readings keep the device\'s clock, placed on the run\'s time at the first reading, so its drift shows in the timestamps. `receive`: stamped when twinbed reads them (for devices without a clock). Default `device`.',
      ),
  })
  .strict()
  .prefault({});

const SerialSchema = z
  .object({
    path: z.string().min(1).describe('The serial device, e.g. `/dev/ttyUSB0`, `/dev/ttyACM0`, `COM3`, or one end of a socat pty pair.'),
    baudRate: z.number().int().positive().default(115_200).describe('Line speed, baud. Default 115200.'),
    dataBits: z.union([z.literal(5), z.literal(6), z.literal(7), z.literal(8)]).default(8).describe('Data bits per character. Default 8.'),
    parity: z.enum(['none', 'even', 'odd']).default('none').describe('Parity. Default `none`.'),
    stopBits: z.union([z.literal(1), z.literal(2)]).default(1).describe('Stop bits. Default 1.'),
    reopenMs: z
      .number()
      .int()
      .min(0)
      .default(1000)
      .describe('After the port closes (cable pulled, device reset), try to open it again every this many ms; 0 never. Default 1000.'),
  })
  .strict();

const MqttSchema = z
  .object({
    url: z.string().min(1).optional().describe('The broker the device talks to (`mqtt://`, `mqtts://`, `ws://`). Default: the target\'s device broker.'),
    topic: z
      .string()
      .min(1)
      .default('twinbed-hw/{device}/data')
      .describe('Where the device publishes its lines; `{device}`, and `{sensor}` for one topic a sensor (payload: a number, or JSON with `value`). Default `twinbed-hw/{device}/data`.'),
    commandTopic: z.string().min(1).default('twinbed-hw/{device}/cmd').describe('Where its commands go, one line a message; `{device}`. Default `twinbed-hw/{device}/cmd`.'),
    statusTopic: z
      .string()
      .min(1)
      .default('twinbed-hw/{device}/status')
      .describe('Its retained status, JSON `{"status":"online"|"offline"}` (its MQTT will says offline); `{device}`. Default `twinbed-hw/{device}/status`.'),
    clientId: z.string().min(1).default('twinbed-hw-{device}').describe('twinbed\'s client id on that broker; `{device}`. Default `twinbed-hw-{device}`.'),
    qos: z.union([z.literal(0), z.literal(1)]).default(1).describe('QoS of twinbed\'s subscriptions and commands. Default 1.'),
    username: z.string().optional().describe('Username on that broker. Default none.'),
    password: z.string().optional().describe('Password on that broker. Default none.'),
    forward: z
      .boolean()
      .default(true)
      .describe(
        'true: twinbed publishes the device\'s readings into the target as that device (its topics and format) and passes the target\'s commands on. false: the device speaks to the system under test itself; twinbed only watches it and sends the steps. Default true.',
      ),
  })
  .strict();

export const HardwareBindingSchema = z
  .object({
    device: IdSchema.describe('The twin of the scenario this device stands in for; it is not simulated.'),
    serial: SerialSchema.optional().describe('The device is on a serial line.'),
    mqtt: MqttSchema.optional().describe('The device is on a broker.'),
    format: z.enum(['jsonl', 'csv']).default('jsonl').describe('Its lines: one JSON object a line (`jsonl`) or comma-separated values (`csv`, needs columns). Default `jsonl`.'),
    columns: z.array(z.string().min(1)).min(1).optional().describe('CSV only: the name of each column, in order (the time, the seq, the sensor fields).'),
    time: TimeSchema.describe('The device\'s clock in its lines.'),
    seq: z
      .string()
      .min(1)
      .nullable()
      .default('seq')
      .describe('The field of its line counter, which shows lines lost on the way; null if it has none. Default `seq`.'),
    sensors: z
      .record(IdSchema, SensorBindingSchema)
      .refine((sensors) => Object.keys(sensors).length > 0, 'declare at least one sensor')
      .describe('Its sensors as the target will see them: unit, rate, and the field that carries each.'),
    commands: z
      .enum(['json', 'text'])
      .default('json')
      .describe('How commands are written to it: `json` (a twinbed cmd object a line) or `text` (`slow-down speedRpm=900 rampS=5`). Default `json`.'),
    offlineAfterS: z.number().positive().default(5).describe('No line for this long means the device went offline, seconds. Default 5.'),
    ackTimeoutMs: z
      .number()
      .int()
      .min(0)
      .default(1000)
      .describe('How long to wait for the device to acknowledge a command before reporting it as sent but unanswered, ms; 0 to not wait. Default 1000.'),
  })
  .strict()
  .superRefine((binding, ctx) => {
    if ((binding.serial === undefined) === (binding.mqtt === undefined)) {
      ctx.addIssue({ code: 'custom', path: ['serial'], message: 'give exactly one of serial: or mqtt:' });
    }
    if (binding.format === 'csv') {
      if (!binding.columns) {
        ctx.addIssue({ code: 'custom', path: ['columns'], message: 'a csv device needs columns: the name of each column, in order' });
      } else {
        const needed = [...(binding.time.clock === 'device' ? [binding.time.field] : []), ...Object.entries(binding.sensors).map(([name, s]) => s.field ?? name)];
        const missing = needed.filter((field) => !binding.columns!.includes(field));
        if (missing.length) ctx.addIssue({ code: 'custom', path: ['columns'], message: `no column named ${missing.map((m) => `"${m}"`).join(', ')} (columns: ${binding.columns.join(', ')})` });
      }
    } else if (binding.columns) {
      ctx.addIssue({ code: 'custom', path: ['columns'], message: 'columns are for format: csv; a jsonl line names its fields' });
    }
    if (binding.mqtt) {
      const check = (field: 'topic' | 'commandTopic' | 'statusTopic' | 'clientId', allowed: TemplateVariable[]) => {
        const problem = templateProblem(binding.mqtt![field], allowed);
        if (problem) ctx.addIssue({ code: 'custom', path: ['mqtt', field], message: problem });
      };
      check('topic', ['device', 'sensor']);
      check('commandTopic', ['device']);
      check('statusTopic', ['device']);
      check('clientId', ['device']);
    }
  });

export type HardwareBinding = z.output<typeof HardwareBindingSchema>;
export type HardwareBindingInput = z.input<typeof HardwareBindingSchema>;
export type SensorBinding = z.output<typeof SensorBindingSchema>;

/** A list of bindings, one per device. */
export const HardwareBindingsSchema = z
  .array(HardwareBindingSchema)
  .superRefine((bindings, ctx) => {
    const seen = new Set<string>();
    bindings.forEach((binding, i) => {
      if (seen.has(binding.device)) ctx.addIssue({ code: 'custom', path: [i, 'device'], message: `"${binding.device}" is bound twice` });
      seen.add(binding.device);
    });
  })
  .optional()
  .describe(
    'Twins that are physical devices instead of simulations: their readings come from the hardware (a serial line or a broker) and their commands, steps included, go to it. Default none.',
  );

/** Samples per published reading: the binding's, or one second's worth. */
export function blockSamplesOf(sensor: Pick<SensorBinding, 'rateHz' | 'blockSamples'>): number {
  return sensor.blockSamples ?? Math.max(1, Math.round(sensor.rateHz));
}
