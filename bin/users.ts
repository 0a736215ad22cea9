// People from the command line: `npm run users -- <command>`. The same domain functions and checks as
// the GraphQL mutations (createUser, updateUser, deactivateUser, createSalesTeam, createOutOfOffice).
// People are named by e-mail and teams by name. On the embedded database, run it while the server
// is stopped (PGlite is one process); with DATABASE_URL, any time.
import { Command, Option } from 'commander';
import { asc, eq, sql } from 'drizzle-orm';
import { rows, type Db } from '../db/client';
import { salesTeams, userRoles, users } from '../db/schema/index';
import { DomainError, NotFoundError, ValidationError } from '../domain/errors';
import { createAbsence } from '../domain/people/absences';
import { parseWorkingHours } from '../domain/people/hours';
import { createSalesTeam } from '../domain/people/teams';
import { createUser, deactivateUser, updateUser } from '../domain/people/users';
import { withDatabase } from './with-database';

const program = new Command('users').description('Manage people and sales teams (npm run users -- <command>)');

async function userId(db: Db, email: string): Promise<string> {
  const [user] = await db.select({ id: users.id }).from(users).where(sql`lower(${users.email}) = lower(${email})`);
  if (!user) throw new NotFoundError('User', email);
  return user.id;
}

async function teamId(db: Db, name: string): Promise<string> {
  const [team] = await db.select({ id: salesTeams.id }).from(salesTeams).where(sql`lower(${salesTeams.name}) = lower(${name})`);
  if (!team) throw new ValidationError([{ field: 'team', message: `no sales team "${name}" (npm run users -- team create "${name}")` }]);
  return team.id;
}

const int = (name: string) => (value: string) => {
  const n = Number(value);
  if (!Number.isInteger(n)) throw new Error(`--${name} "${value}" is not a whole number`);
  return n;
};

/** The admin on whose behalf the command acts (audit rows name them): the oldest active admin. */
async function actingAdmin(db: Db): Promise<{ userId: string }> {
  const [admin] = await db.select({ id: users.id }).from(users).where(sql`${users.role} = 'admin' and ${users.active}`).orderBy(asc(users.createdAt)).limit(1);
  return { userId: admin?.id ?? '00000000-0000-0000-0000-000000000000' };
}

program
  .command('list')
  .description('List people, with their team, routing capacity and weight')
  .action(async () => {
    const rows = await withDatabase((d) =>
      d.db
        .select({ email: users.email, name: users.name, role: users.role, team: salesTeams.name, active: users.active, capacity: users.routingCapacity, weight: users.routingWeight, timeZone: users.timeZone })
        .from(users)
        .leftJoin(salesTeams, eq(salesTeams.id, users.salesTeamId))
        .orderBy(asc(users.email)),
    );
    console.table(rows.map((r) => ({ ...r, team: r.team ?? '', timeZone: r.timeZone ?? '' })));
  });

program
  .command('create')
  .description('Add a person')
  .requiredOption('--email <email>')
  .requiredOption('--name <name>')
  .addOption(new Option('--role <role>', 'bounds the roles of their keys').choices(userRoles).makeOptionMandatory())
  .option('--team <name>', 'sales team (a routing pool)')
  .option('--capacity <n>', 'open hand-offs they can hold (default 20 for sales)', int('capacity'))
  .option('--weight <n>', 'share of routing, 1–1000 (default 1)', int('weight'))
  .option('--time-zone <zone>', 'IANA time zone of their working hours, e.g. Europe/Berlin')
  .option('--hours <hours>', 'working hours, e.g. "Mon-Fri 09:00-17:00"')
  .option('--backup <email>', 'who covers while they are out of office')
  .option('--manager <email>')
  .action(async (o: { email: string; name: string; role: string; team?: string; capacity?: number; weight?: number; timeZone?: string; hours?: string; backup?: string; manager?: string }) => {
    const user = await withDatabase(async (d) =>
      createUser(d.db, {
        email: o.email,
        name: o.name,
        role: o.role,
        ...(o.team ? { salesTeamId: await teamId(d.db, o.team) } : {}),
        ...(o.capacity !== undefined ? { routingCapacity: o.capacity } : {}),
        ...(o.weight !== undefined ? { routingWeight: o.weight } : {}),
        ...(o.timeZone ? { timeZone: o.timeZone } : {}),
        ...(o.hours ? { workingHours: parseWorkingHours(o.hours) } : {}),
        ...(o.backup ? { backupUserId: await userId(d.db, o.backup) } : {}),
        ...(o.manager ? { managerId: await userId(d.db, o.manager) } : {}),
      }),
    );
    console.log(`Created ${user.role} ${user.name} <${user.email}>. Give them a key: npm run keys -- create --user ${user.email}`);
  });

program
  .command('update')
  .description('Change a person (only the options given)')
  .argument('<email>')
  .option('--name <name>')
  .option('--email <email>', 'a new e-mail')
  .addOption(new Option('--role <role>', 'a lower role revokes the keys that carried more').choices(userRoles))
  .addOption(new Option('--active <yes|no>').choices(['yes', 'no']))
  .option('--team <name>', 'sales team, or "none"')
  .option('--capacity <n>', 'routing capacity', int('capacity'))
  .option('--weight <n>', 'routing weight', int('weight'))
  .option('--time-zone <zone>')
  .option('--hours <hours>', 'working hours ("none" clears them)')
  .option('--backup <email>', 'backup, or "none"')
  .action(async (email: string, o: { name?: string; email?: string; role?: string; active?: string; team?: string; capacity?: number; weight?: number; timeZone?: string; hours?: string; backup?: string }) => {
    const result = await withDatabase(async (d) =>
      updateUser(d.db, {
        userId: await userId(d.db, email),
        ...(o.name ? { name: o.name } : {}),
        ...(o.email ? { email: o.email } : {}),
        ...(o.role ? { role: o.role } : {}),
        ...(o.active ? { active: o.active === 'yes' } : {}),
        ...(o.team ? { salesTeamId: o.team === 'none' ? null : await teamId(d.db, o.team) } : {}),
        ...(o.capacity !== undefined ? { routingCapacity: o.capacity } : {}),
        ...(o.weight !== undefined ? { routingWeight: o.weight } : {}),
        ...(o.timeZone ? { timeZone: o.timeZone } : {}),
        ...(o.hours ? { workingHours: o.hours === 'none' ? [] : parseWorkingHours(o.hours) } : {}),
        ...(o.backup ? { backupUserId: o.backup === 'none' ? null : await userId(d.db, o.backup) } : {}),
      }),
    );
    console.log(`Updated ${result.user.name} <${result.user.email}>${result.keysRevoked ? `; ${result.keysRevoked} keys revoked` : ''}.`);
  });

program
  .command('deactivate')
  .description('A person leaves: keys revoked, open leads handed on')
  .argument('<email>')
  .option('--to <where>', 'routing | rep:<email> | marketing:<reason code>', 'routing')
  .action(async (email: string, o: { to: string }) => {
    const result = await withDatabase(async (d) => {
      const [kind, rest] = [o.to.split(':')[0], o.to.slice(o.to.indexOf(':') + 1)];
      const handover =
        kind === 'routing' ? { to: 'routing' } : kind === 'rep' ? { to: 'rep', userId: await userId(d.db, rest) } : kind === 'marketing' ? { to: 'marketing', reasonCode: rest } : null;
      if (!handover) throw new Error(`--to "${o.to}": use routing, rep:<email> or marketing:<reason code>`);
      return deactivateUser(d.db, await actingAdmin(d.db), { userId: await userId(d.db, email), handover });
    });
    console.log(
      `Deactivated ${result.user.email}: ${result.keysRevoked} keys revoked, ${result.reassigned} open leads reassigned, ${result.recycled} sent back to Marketing, ` +
        `${result.closedLeadsReleased} other leads released.`,
    );
  });

program
  .command('away')
  .description('Out of office: routing skips them; their due leads go to the backup (or routing) when it begins')
  .argument('<email>')
  .requiredOption('--from <date-time>', 'e.g. 2026-12-21T00:00:00Z')
  .requiredOption('--until <date-time>')
  .option('--backup <email>', 'instead of their usual backup')
  .option('--note <text>')
  .action(async (email: string, o: { from: string; until: string; backup?: string; note?: string }) => {
    const absence = await withDatabase(async (d) =>
      createAbsence(d.db, await actingAdmin(d.db), {
        userId: await userId(d.db, email),
        startsAt: new Date(o.from),
        endsAt: new Date(o.until),
        ...(o.backup ? { backupUserId: await userId(d.db, o.backup) } : {}),
        ...(o.note ? { note: o.note } : {}),
      }),
    );
    console.log(`${email} is out of office from ${absence.startsAt.toISOString()} until ${absence.endsAt.toISOString()}.`);
  });

const team = program.command('team').description('Sales teams (routing pools)');
team
  .command('create')
  .argument('<name>')
  .option('--manager <email>')
  .action(async (name: string, o: { manager?: string }) => {
    const created = await withDatabase(async (d) => createSalesTeam(d.db, { name, ...(o.manager ? { managerId: await userId(d.db, o.manager) } : {}) }));
    console.log(`Created sales team "${created.name}" (${Buffer.from(`SalesTeam:${created.id}`).toString('base64')}).`);
  });
team.command('list').action(async () => {
  const found = await withDatabase((d) =>
    rows<{ id: string; name: string; manager: string | null; reps: number }>(
      d.db,
      sql`select t.id, t.name, m.email as manager, (select count(*)::int from users u where u.sales_team_id = t.id and u.active) as reps
        from sales_teams t left join users m on m.id = t.manager_id order by t.name`,
    ),
  );
  console.table(found.map((t) => ({ name: t.name, manager: t.manager ?? '', reps: t.reps, id: Buffer.from(`SalesTeam:${t.id}`).toString('base64') })));
});

program.parseAsync().catch((error: unknown) => {
  const message =
    error instanceof ValidationError ? error.problems.map((p) => `${p.field}: ${p.message}`).join('\n  ') : error instanceof DomainError || error instanceof Error ? error.message : String(error);
  console.error(`users: ${message}`);
  process.exit(1);
});
