import { localDate } from '@medisync/shared/domain';
import SchemaBuilder from '@pothos/core';
import ComplexityPlugin from '@pothos/plugin-complexity';
import ErrorsPlugin from '@pothos/plugin-errors';
import ZodPlugin from '@pothos/plugin-zod';
import { GraphQLError } from 'graphql';
import type { z } from 'zod';
import { instant } from '#api/inputs';
import { zodIssues } from '#http/errors';
import type { GraphQLContext } from './context.js';

/**
 * What one operation may cost before it runs: nesting depth, the number of
 * fields selected, and complexity (each field 1; a list's selection counted
 * once per item it may return, by its `first` argument or 10). Enough for any
 * screen an integrator builds; a query that walks patients → visits → patient
 * → visits … is refused with a clear error before anything is read.
 */
export const LIMITS = { depth: 8, breadth: 150, complexity: 5_000 } as const;

export const builder = new SchemaBuilder<{
  Context: GraphQLContext;
  DefaultFieldNullability: false;
  Scalars: {
    DateTime: { Input: string; Output: string };
    Date: { Input: string; Output: string };
  };
}>({
  plugins: [ErrorsPlugin, ZodPlugin, ComplexityPlugin],
  defaultFieldNullability: false,
  errors: { defaultTypes: [] },
  zod: {
    // The same answer as REST's 400: each bad field named in details.issues.
    validationError: (error: z.ZodError) =>
      new GraphQLError(
        `invalid input: ${zodIssues(error)
          .map((i) => `${i.path}: ${i.message}`)
          .join('; ')}`,
        {
          extensions: { code: 'invalid-request', details: { issues: zodIssues(error) } },
        },
      ),
  },
  complexity: {
    defaultComplexity: 1,
    defaultListMultiplier: 10,
    limit: LIMITS,
    complexityError: (errorKind, result) => {
      const kind = String(errorKind).toLowerCase();
      return new GraphQLError(
        kind === 'depth'
          ? `query is too deep: ${result.depth} levels of nesting, at most ${LIMITS.depth} allowed`
          : kind === 'breadth'
            ? `query selects too many fields: ${result.breadth}, at most ${LIMITS.breadth} allowed`
            : `query is too costly: complexity ${result.complexity}, at most ${LIMITS.complexity} allowed; ask for fewer items (first) or fewer nested lists`,
        { extensions: { code: kind === 'depth' ? 'too-deep' : 'too-costly', details: { ...result } } },
      );
    },
  },
});

const scalar = (name: 'DateTime' | 'Date', schema: z.ZodType<string>, description: string) =>
  builder.scalarType(name, {
    description,
    serialize: (value) => value as string,
    parseValue: (value) => {
      const parsed = schema.safeParse(value);
      if (!parsed.success)
        throw new GraphQLError(`expected ${description}`, { extensions: { code: 'invalid-request' } });
      return parsed.data;
    },
  });

scalar('DateTime', instant, 'an ISO-8601 instant (answers are in UTC, e.g. 2026-11-30T14:00:00.000Z)');
scalar('Date', localDate, 'a calendar date, YYYY-MM-DD (site-local where it names a day at the clinic)');
