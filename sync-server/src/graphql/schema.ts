import { lexicographicSortSchema, printSchema } from 'graphql';
import { builder } from './builder.js';
import './types.js';
import './queries.js';
import './mutations.js';
import './subscriptions.js';

/** The schema, built once from the code-first definitions of this folder. */
export const schema = builder.toSchema();

/** The schema in SDL, as published at `/graphql/schema.graphql` and kept in `schema.graphql` beside this file. */
export const schemaSdl = `${printSchema(lexicographicSortSchema(schema))}\n`;
