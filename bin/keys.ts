// API keys from the command line: create (secret shown once), list, revoke.
import { withDatabase } from './with-database';
import { Command, Option } from 'commander';
import { desc, eq } from 'drizzle-orm';
import { apiKeys, userRoles, users } from '../db/schema/index';
import { createApiKey, revokeApiKey } from '../domain/auth/api-keys';
import { DomainError } from '../domain/errors';


const program = new Command('keys').description('Manage API keys (npm run keys -- <command>)');

program
  .command('create')
  .description('Create an API key for a user; the secret is printed once')
  .requiredOption('--user <email>', "the key owner's e-mail")
  .option('--name <name>', 'a label for the key', 'cli key')
  .addOption(new Option('--role <role>', "the user's role (default) or viewer for read-only").choices(userRoles))
  .option('--expires <date>', 'expiry date, YYYY-MM-DD')
  .option('--quiet', 'print only the secret (for scripts: KEY=$(npm run -s keys -- create --user … --quiet))')
  .action(async (opts: { user: string; name: string; role?: (typeof userRoles)[number]; expires?: string; quiet?: boolean }) => {
    const expiresAt = opts.expires ? new Date(`${opts.expires}T00:00:00Z`) : undefined;
    if (expiresAt && Number.isNaN(expiresAt.getTime())) throw new Error(`--expires "${opts.expires}" is not a date`);
    const created = await withDatabase((d) =>
      createApiKey(d.db, { user: { email: opts.user }, name: opts.name, role: opts.role, expiresAt }),
    );
    if (!opts.quiet) console.log(`Created key ${created.id} (${created.prefix}…, role ${created.role}). Store it now, it is not shown again:`);
    console.log(created.key);
  });

program
  .command('list')
  .description('List keys (prefixes only, never secrets)')
  .action(async () => {
    const rows = await withDatabase((d) =>
      d.db
        .select({
          id: apiKeys.id,
          prefix: apiKeys.prefix,
          name: apiKeys.name,
          role: apiKeys.role,
          user: users.email,
          createdAt: apiKeys.createdAt,
          revokedAt: apiKeys.revokedAt,
        })
        .from(apiKeys)
        .innerJoin(users, eq(users.id, apiKeys.userId))
        .orderBy(desc(apiKeys.createdAt)),
    );
    console.table(rows.map((r) => ({ ...r, revokedAt: r.revokedAt?.toISOString() ?? '' , createdAt: r.createdAt.toISOString() })));
  });

program
  .command('revoke')
  .description('Revoke a key by id or by its printed prefix')
  .argument('<idOrPrefix>')
  .action(async (idOrPrefix: string) => {
    const count = await withDatabase((d) => revokeApiKey(d.db, idOrPrefix));
    if (count === 0) throw new Error(`No active key matches "${idOrPrefix}"`);
    console.log(`Revoked ${count} key${count === 1 ? '' : 's'}.`);
  });

program.parseAsync().catch((error: unknown) => {
  const message = error instanceof DomainError || error instanceof Error ? error.message : String(error);
  console.error(`keys: ${message}`);
  process.exit(1);
});
