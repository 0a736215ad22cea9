import { createCipheriv, createDecipheriv, createHash, randomBytes } from 'node:crypto';

// Webhook signing secrets at rest. With WEBHOOK_SECRET_KEY set, secrets are stored encrypted
// (AES-256-GCM, the key derived from the setting with SHA-256): `enc:v1:<key id>:<iv>:<tag>:<data>`.
// Rotation: move the old value to WEBHOOK_SECRET_KEY_PREVIOUS, put the new one in WEBHOOK_SECRET_KEY
// and restart: the server re-encrypts every secret under the new key at start (reencryptSecrets),
// after which the previous key can go. Without a key, secrets are stored as given (and a stored
// encrypted secret without its key cannot be used: deliveries fail with a clear error).

const PREFIX = 'enc:v1:';

interface Key {
  id: string;
  key: Buffer;
}

function keyOf(material: string): Key {
  const key = createHash('sha256').update(material, 'utf8').digest();
  return { id: createHash('sha256').update(key).digest('hex').slice(0, 8), key };
}

export class SecretBox {
  private readonly current: Key | null;
  private readonly keys: Map<string, Key>;

  constructor(secretKey?: string, previousKey?: string) {
    if (secretKey !== undefined && secretKey.length < 32) throw new Error('WEBHOOK_SECRET_KEY must be at least 32 characters');
    this.current = secretKey ? keyOf(secretKey) : null;
    this.keys = new Map([this.current, previousKey ? keyOf(previousKey) : null].filter((k): k is Key => !!k).map((k) => [k.id, k]));
  }

  static fromEnv(env: Record<string, string | undefined> = process.env): SecretBox {
    return new SecretBox(env.WEBHOOK_SECRET_KEY || undefined, env.WEBHOOK_SECRET_KEY_PREVIOUS || undefined);
  }

  /** What to store for this secret. */
  seal(secret: string): string {
    if (!this.current) return secret;
    const iv = randomBytes(12);
    const cipher = createCipheriv('aes-256-gcm', this.current.key, iv);
    const data = Buffer.concat([cipher.update(secret, 'utf8'), cipher.final()]);
    const b = (x: Buffer) => x.toString('base64url');
    return `${PREFIX}${this.current.id}:${b(iv)}:${b(cipher.getAuthTag())}:${b(data)}`;
  }

  /** The secret from what is stored. */
  open(stored: string): string {
    if (!stored.startsWith(PREFIX)) return stored;
    const [id, iv, tag, data] = stored.slice(PREFIX.length).split(':') as [string, string, string, string];
    const key = this.keys.get(id);
    if (!key) throw new Error(`the webhook secret is encrypted with a key this server does not have (key id ${id}): set WEBHOOK_SECRET_KEY (or WEBHOOK_SECRET_KEY_PREVIOUS)`);
    const decipher = createDecipheriv('aes-256-gcm', key.key, Buffer.from(iv, 'base64url'));
    decipher.setAuthTag(Buffer.from(tag, 'base64url'));
    return Buffer.concat([decipher.update(Buffer.from(data, 'base64url')), decipher.final()]).toString('utf8');
  }

  /** Stored under another key than the current one (or in clear while a key is set): to re-encrypt. */
  stale(stored: string): boolean {
    if (!this.current) return false;
    return !stored.startsWith(`${PREFIX}${this.current.id}:`);
  }
}
