/**
 * A strict RFC 4180 reader for tests: records end with LF or CRLF, a quoted field may hold commas, CR, LF
 * and doubled quotes, an unquoted field may not hold a quote. Throws on anything else, so a test that
 * parses an export also checks that it is well-formed CSV.
 */
export function parseCsv(text: string): string[][] {
  const records: string[][] = [];
  let record: string[] = [];
  let i = 0;
  const endRecord = () => {
    records.push(record);
    record = [];
  };
  while (i < text.length) {
    let field = '';
    if (text[i] === '"') {
      i++;
      for (;;) {
        if (i >= text.length) throw new Error('unterminated quoted field');
        if (text[i] === '"') {
          if (text[i + 1] === '"') {
            field += '"';
            i += 2;
            continue;
          }
          i++;
          break;
        }
        field += text[i++];
      }
    } else {
      while (i < text.length && text[i] !== ',' && text[i] !== '\n' && !(text[i] === '\r' && text[i + 1] === '\n')) {
        if (text[i] === '"' || text[i] === '\r') throw new Error(`bare ${JSON.stringify(text[i])} in an unquoted field at ${i}`);
        field += text[i++];
      }
    }
    record.push(field);
    if (i >= text.length) {
      endRecord();
      break;
    }
    if (text[i] === ',') {
      i++;
      if (i >= text.length) {
        record.push('');
        endRecord();
      }
      continue;
    }
    if (text[i] === '\r' && text[i + 1] === '\n') i += 2;
    else if (text[i] === '\n') i++;
    else throw new Error(`unexpected ${JSON.stringify(text[i])} after a field at ${i}`);
    endRecord();
  }
  return records;
}
