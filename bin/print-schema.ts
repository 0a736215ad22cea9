// Writes schema.graphql, the front-end teams' contract. A test fails when it is stale.
import { writeFileSync } from 'node:fs';
import { printedSchema } from '../api/schema';

writeFileSync(new URL('../schema.graphql', import.meta.url), printedSchema());
console.log('schema.graphql written');
