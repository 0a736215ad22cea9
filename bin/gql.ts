// GraphQL from the command line, for scripts and the README's steps:
//   npm run -s gql -- docs/examples/create-agreement.graphql --vars docs/examples/agreement.json
//   echo '{ me { name } }' | npm run -s gql
//   TEAM=$(npm run -s gql -- --get data.createSalesTeam.team.id <<'EOF' … EOF)
// The key comes from SLA_API_KEY, the server from SLA_URL (default http://127.0.0.1:$PORT/graphql).
// It exits 1 on GraphQL errors and on a typed error answer (ValidationError, ConflictError…), with
// the problems on stderr, so a script stops where something was refused.
import { readFileSync } from 'node:fs';
import { Command } from 'commander';

interface Options {
  var: string[];
  vars?: string;
  get?: string;
  url?: string;
}

const program = new Command('gql')
  .description('Send a GraphQL document (a file, or standard input) to the API and print the answer')
  .argument('[file]', 'a .graphql file; standard input when left out')
  .option('--var <name=value>', 'a variable (JSON when it parses as JSON, else a string); repeatable', (v: string, all: string[]) => [...all, v], [])
  .option('--vars <file>', 'variables from a JSON file')
  .option('--get <path>', 'print only this part of the answer, e.g. data.createUser.user.id')
  .option('--url <url>', 'the GraphQL endpoint (default SLA_URL, else http://127.0.0.1:$PORT/graphql)')
  .action(async (file: string | undefined, o: Options) => {
    const query = file ? readFileSync(file, 'utf8') : readFileSync(0, 'utf8');
    const variables: Record<string, unknown> = o.vars ? JSON.parse(readFileSync(o.vars, 'utf8')) : {};
    for (const pair of o.var) {
      const at = pair.indexOf('=');
      if (at < 1) throw new Error(`--var "${pair}": write name=value`);
      const raw = pair.slice(at + 1);
      try {
        variables[pair.slice(0, at)] = JSON.parse(raw);
      } catch {
        variables[pair.slice(0, at)] = raw;
      }
    }
    const url = o.url ?? process.env.SLA_URL ?? `http://127.0.0.1:${process.env.PORT ?? 4000}/graphql`;
    const key = process.env.SLA_API_KEY;
    const response = await fetch(url, {
      method: 'POST',
      headers: { 'content-type': 'application/json', ...(key ? { authorization: `Bearer ${key}` } : {}) },
      body: JSON.stringify({ query, variables }),
    });
    const text = await response.text();
    let body: { data?: Record<string, unknown> | null; errors?: { message: string; extensions?: { code?: string } }[] };
    try {
      body = JSON.parse(text);
    } catch {
      throw new Error(`HTTP ${response.status} from ${url}: ${text.slice(0, 300)}`);
    }
    const refused = Object.entries(body.data ?? {}).filter(([, v]) => v && typeof v === 'object' && /Error$/.test(String((v as { __typename?: string }).__typename ?? '')));
    if (body.errors?.length || refused.length) {
      console.error(JSON.stringify(body, null, 2));
      process.exitCode = 1;
      return;
    }
    if (o.get) {
      const value = o.get.split('.').reduce<unknown>((at, part) => (at && typeof at === 'object' ? (at as Record<string, unknown>)[part] : undefined), body);
      if (value === undefined) throw new Error(`nothing at ${o.get} in ${JSON.stringify(body)}`);
      console.log(typeof value === 'string' ? value : JSON.stringify(value));
      return;
    }
    console.log(JSON.stringify(body, null, 2));
  });

program.parseAsync().catch((error: unknown) => {
  console.error(`gql: ${(error as Error).message}`);
  process.exit(1);
});
