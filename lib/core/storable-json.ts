import { UnstorableTextError } from './errors/unstorable-text.error.js';
import { isWellFormedText } from './well-formed-text.js';

/*
 * JSON.stringify writes a NUL as `\u0000` and a lone surrogate as `\udXXX` (well-formed stringify),
 * and nothing else produces those escapes unless the backslash itself is escaped (`\\u0000` is the
 * six characters of an innocent text). One scan of the JSON text finds the suspects; only then is
 * the value walked to name the path.
 */
const SUSPECT_ESCAPE = /(?<!\\)(?:\\\\)*\\u(?:0000|d[89a-f][0-9a-f]{2})/i;

/**
 * Refuses JSON text that PostgreSQL (jsonb) or MySQL (JSON) would reject or that SQLite would store
 * differently: strings (values or keys) holding NUL or a lone surrogate. `root` names the part of
 * the event (`data`, `metadata`) in the error's path.
 */
export function assertStorableJson(json: string, index: number, root: string): void {
  if (!SUSPECT_ESCAPE.test(json)) return;
  const found = findUnstorable(JSON.parse(json) as unknown, root);
  if (found) throw new UnstorableTextError(index, found.path, found.problem);
}

interface Found {
  path: string;
  problem: 'nul' | 'lone_surrogate';
}

function findUnstorable(value: unknown, path: string): Found | undefined {
  if (typeof value === 'string') return problemOf(value, path);
  if (Array.isArray(value)) {
    for (let i = 0; i < value.length; i++) {
      const found = findUnstorable(value[i], `${path}[${i}]`);
      if (found) return found;
    }
    return undefined;
  }
  if (typeof value === 'object' && value !== null) {
    for (const [key, child] of Object.entries(value)) {
      const inKey = problemOf(key, path);
      if (inKey) return inKey;
      const found = findUnstorable(child, `${path}${member(key)}`);
      if (found) return found;
    }
  }
  return undefined;
}

function problemOf(text: string, path: string): Found | undefined {
  if (text.includes('\u0000')) return { path, problem: 'nul' };
  if (!isWellFormedText(text)) return { path, problem: 'lone_surrogate' };
  return undefined;
}

function member(key: string): string {
  return /^[A-Za-z_$][\w$]*$/.test(key) ? `.${key}` : `[${JSON.stringify(key)}]`;
}
