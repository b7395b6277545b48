import { createHash, generateKeyPairSync } from 'node:crypto';
import { existsSync } from 'node:fs';
import { mkdir, writeFile } from 'node:fs/promises';
import path from 'node:path';
import { z } from 'zod';
import { ConfigError, IdSchema } from '../protocol';
import { EXIT } from './exit-codes';
import type { CommandOutput } from './model';

const KeygenFlagsSchema = z
  .object({
    out: z.string().min(1).describe('--out: folder for <id>.key.pem and <id>.pub.pem; created (mode 0700) if missing. Required.'),
    keyId: IdSchema.optional().describe('--key-id: the key\'s name in gateway and cloud config. Default model-<8 hex of the public key\'s sha256>.'),
  })
  .strict();

export type ModelKeygenFlags = z.input<typeof KeygenFlagsSchema>;

/** What keygen wrote, for tests and callers. */
export interface ModelKeygenResult {
  keyId: string;
  privateKeyFile: string;
  publicKeyFile: string;
  publicKeyPem: string;
}

/**
 * `twinbed model keygen`: an Ed25519 key pair for signing models — DIR/<id>.key.pem (PKCS8, mode 0600, what the
 * cloud's ModelSigner.fromPem reads) and DIR/<id>.pub.pem (SPKI, what gateways trust) — and the config lines for both.
 */
export async function runModelKeygen(flags: ModelKeygenFlags, out: CommandOutput = process.stdout): Promise<{ code: number; result: ModelKeygenResult }> {
  const parsed = KeygenFlagsSchema.safeParse(flags);
  if (!parsed.success) {
    throw new ConfigError('twinbed model keygen', parsed.error.issues.map((issue) => ({ path: issue.path[0] === 'keyId' ? '--key-id' : `--${String(issue.path[0] ?? '')}`, message: issue.message })));
  }
  const { publicKey, privateKey } = generateKeyPairSync('ed25519');
  const publicKeyPem = publicKey.export({ type: 'spki', format: 'pem' }).toString();
  const keyId = parsed.data.keyId ?? `model-${createHash('sha256').update(publicKey.export({ type: 'spki', format: 'der' })).digest('hex').slice(0, 8)}`;
  const dir = path.resolve(parsed.data.out);
  const privateKeyFile = path.join(dir, `${keyId}.key.pem`);
  const publicKeyFile = path.join(dir, `${keyId}.pub.pem`);
  // Overwriting a key would leave every gateway trusting a key nobody holds any more.
  const taken = [privateKeyFile, publicKeyFile].filter((file) => existsSync(file));
  if (taken.length > 0) throw new ConfigError(taken[0]!, [{ path: '', message: 'already exists; pick another --key-id, or move the old key away first' }]);

  await mkdir(dir, { recursive: true, mode: 0o700 });
  await writeFile(privateKeyFile, privateKey.export({ type: 'pkcs8', format: 'pem' }), { mode: 0o600, flag: 'wx' });
  await writeFile(publicKeyFile, publicKeyPem, { mode: 0o644, flag: 'wx' });

  const pemLines = publicKeyPem.trimEnd().split('\n');
  out.write(
    [
      `twinbed model keygen: Ed25519 key ${keyId} → ${dir}`,
      `  ${path.basename(privateKeyFile)}  private key (PKCS8, mode 0600): SECRET, keep it with the cloud only`,
      `  ${path.basename(publicKeyFile)}  public key (SPKI): give it to the gateways`,
      '',
      'Gateway config (every gateway that should accept models signed with this key):',
      '  anomaly:',
      '    trustedKeys:',
      `      - id: ${keyId}`,
      '        publicKey: |',
      ...pemLines.map((line) => `          ${line}`),
      '',
      'Cloud config (the key it signs registered models with):',
      '  models:',
      `    signingKey: ${privateKeyFile}`,
      `    keyId: ${keyId}`,
      '',
    ].join('\n'),
  );
  return { code: EXIT.ok, result: { keyId, privateKeyFile, publicKeyFile, publicKeyPem } };
}
