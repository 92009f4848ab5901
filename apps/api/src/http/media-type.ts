/** A parsed Content-Type: the lower-cased `type/subtype` and its parameters (names lower-cased, values unquoted). */
export interface MediaType {
  readonly essence: string;
  readonly parameters: Readonly<Record<string, string>>;
}

const TOKEN = "[!#$%&'*+.^_`|~0-9A-Za-z-]+";
const ESSENCE = new RegExp(`^${TOKEN}/${TOKEN}$`);
const PARAMETER = new RegExp(`^(${TOKEN})=(${TOKEN}|"(?:[^"\\\\]|\\\\.)*")$`);

/** Parses a Content-Type header value (RFC 9110 §8.3.1); undefined when it is not one. */
export function parseMediaType(header: string): MediaType | undefined {
  const [essence, ...rest] = splitParameters(header);
  if (!ESSENCE.test(essence)) return undefined;
  const parameters: Record<string, string> = {};
  for (const part of rest) {
    if (part === '') continue;
    const match = PARAMETER.exec(part);
    if (!match) return undefined;
    const value = match[2].startsWith('"') ? match[2].slice(1, -1).replace(/\\(.)/g, '$1') : match[2];
    parameters[match[1].toLowerCase()] = value;
  }
  return { essence: essence.toLowerCase(), parameters };
}

/** Splits at the semicolons outside quoted strings, trimming the optional white space around each part. */
function splitParameters(header: string): string[] {
  const parts: string[] = [];
  let current = '';
  let quoted = false;
  for (let i = 0; i < header.length; i++) {
    const c = header[i];
    if (quoted && c === '\\' && i + 1 < header.length) {
      current += c + header[++i];
      continue;
    }
    if (c === '"') quoted = !quoted;
    if (c === ';' && !quoted) {
      parts.push(current.trim());
      current = '';
      continue;
    }
    current += c;
  }
  parts.push(current.trim());
  return parts;
}
