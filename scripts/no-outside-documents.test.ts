import { execFileSync } from 'node:child_process';
import { readFileSync, statSync } from 'node:fs';
import { dirname, join, relative, sep } from 'node:path';
import { fileURLToPath } from 'node:url';
import { describe, expect, it } from 'vitest';

/**
 * The repository explains itself (docs/architecture.md §9.5): code and docs
 * cite docs/architecture.md by section, never a document a reader of the
 * repository does not have, and every section they cite exists.
 */

const root = join(dirname(fileURLToPath(import.meta.url)), '..');
const self = relative(root, fileURLToPath(import.meta.url))
  .split(sep)
  .join('/');
const ARCHITECTURE = 'docs/architecture.md';

/** Names of documents that live outside the repository, also when a comment wraps inside one. */
const OUTSIDE_DOCUMENT = /\bDESIGN(?:\.md\b|[\s*#/-]+section\b)|\b[Tt]he design brief\b/g;

/** "docs/architecture.md §4.7", also when a comment wraps between the path and the section. */
const CITATION = /docs\/architecture\.md[\s*#/-]*§\s*(\d+(?:\.\d+)*)/g;

/** Tracked files, and new files git does not ignore, so the rule holds before a commit too. */
function repositoryFiles(): string[] {
  const listed = execFileSync('git', ['ls-files', '-z', '--cached', '--others', '--exclude-standard'], {
    cwd: root,
    encoding: 'utf8',
    maxBuffer: 64 * 1024 * 1024,
  });
  return [...new Set(listed.split('\0').filter(Boolean))].filter((file) => {
    try {
      return statSync(join(root, file)).isFile();
    } catch {
      // Deleted in the working tree but not yet in the index.
      return false;
    }
  });
}

/** The file's text, or null for a binary file. */
function textOf(file: string): string | null {
  const bytes = readFileSync(join(root, file));
  return bytes.includes(0) ? null : bytes.toString('utf8');
}

const texts = new Map(
  repositoryFiles()
    .filter((file) => file !== self)
    .flatMap((file) => {
      const text = textOf(file);
      return text === null ? [] : [[file, text] as const];
    }),
);

function lineOf(text: string, index: number): number {
  return text.slice(0, index).split('\n').length;
}

describe('the repository explains itself', () => {
  it('refers to no document outside the repository', () => {
    const offenders: string[] = [];
    for (const [file, text] of texts) {
      for (const match of text.matchAll(OUTSIDE_DOCUMENT)) {
        const line = lineOf(text, match.index);
        offenders.push(`${file}:${line}: ${text.split('\n')[line - 1]!.trim()}`);
      }
    }
    expect(offenders, 'cite docs/architecture.md §N instead').toEqual([]);
  });

  it('cites only sections docs/architecture.md has', () => {
    const architecture = texts.get(ARCHITECTURE);
    expect(architecture, `${ARCHITECTURE} is missing`).toBeDefined();
    const sections = new Set(
      [...architecture!.matchAll(/^#{2,4} (\d+(?:\.\d+)*)\.? /gm)].map((heading) => heading[1]!),
    );
    expect(sections.size).toBeGreaterThan(0);

    const dangling: string[] = [];
    for (const [file, text] of texts) {
      // Inside the document itself a bare "§4.7" is a citation too.
      const pattern = file === ARCHITECTURE ? /§\s*(\d+(?:\.\d+)*)/g : CITATION;
      for (const match of text.matchAll(pattern)) {
        if (!sections.has(match[1]!)) dangling.push(`${file}:${lineOf(text, match.index)}: §${match[1]}`);
      }
    }
    expect(dangling, `sections that ${ARCHITECTURE} does not have`).toEqual([]);
  });
});
