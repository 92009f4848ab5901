import { HttpErrorCode } from './api-error-code';
import { EdgeHttpException } from './edge-http.exception';
import { parseJsonBody } from './json-body.parser';

const parse = (text: string | Uint8Array, depth = 32) => parseJsonBody(typeof text === 'string' ? Buffer.from(text) : text, depth);

function refusal(text: string | Uint8Array, depth = 32): { status: number; code: string; problems?: unknown } {
  try {
    parse(text, depth);
  } catch (error) {
    if (!(error instanceof EdgeHttpException)) throw error;
    return { status: error.getStatus(), code: error.code, ...(error.problems ? { problems: error.problems } : {}) };
  }
  throw new Error(`accepted: ${String(text)}`);
}

const nested = (levels: number) => '{"a":'.repeat(levels - 1) + '{}' + '}'.repeat(levels - 1);

describe('parseJsonBody', () => {
  it('returns the object of a valid body, strings with brackets and escapes included', () => {
    expect(parse('{"a":[1,{"b":"x[{\\"}"}],"c":null}')).toEqual({ a: [1, { b: 'x[{"}' }], c: null });
    expect(parse('\ufeff{"a":1}')).toEqual({ a: 1 });
  });

  it('allows exactly the configured depth and refuses one level more, without recursion', () => {
    expect(() => parse(nested(32))).not.toThrow();
    expect(refusal(nested(33))).toEqual({ status: 400, code: HttpErrorCode.JsonTooDeep });
    expect(refusal('['.repeat(200_000) + ']'.repeat(200_000))).toEqual({ status: 400, code: HttpErrorCode.JsonTooDeep });
    expect(refusal('{"a":[[[', 3)).toEqual({ status: 400, code: HttpErrorCode.JsonTooDeep });
    expect(() => parse('{"a":"[[[[[[[[[["}', 2)).not.toThrow();
  });

  it('refuses what is not JSON, and bytes that are not UTF-8', () => {
    for (const text of ['{"a":', '{a:1}', "{'a':1}", '{"a":1,}', 'NaN', '{"a":NaN}', '{"a":Infinity}', '', '   ', '{"a":1}{"b":2}']) {
      expect(refusal(text)).toEqual({ status: 400, code: HttpErrorCode.MalformedJson });
    }
    expect(refusal(Uint8Array.from([0x7b, 0x22, 0x61, 0x22, 0x3a, 0x22, 0xff, 0xfe, 0x22, 0x7d]))).toEqual({ status: 400, code: HttpErrorCode.MalformedJson });
  });

  it('refuses anything but an object at the top', () => {
    for (const text of ['[]', '[{"a":1}]', '"x"', '1', 'true', 'null']) {
      expect(refusal(text)).toMatchObject({ status: 400, code: HttpErrorCode.ValidationFailed, problems: [{ field: 'body' }] });
    }
  });

  it('refuses reserved keys at any depth, escaped or not, naming the field', () => {
    expect(refusal('{"__proto__":{"admin":true}}')).toMatchObject({ code: HttpErrorCode.ValidationFailed, problems: [{ field: '__proto__' }] });
    expect(refusal('{"a":{"b":[{"constructor":{"prototype":{}}}]}}')).toMatchObject({ problems: [{ field: 'a.b.0.constructor' }] });
    expect(refusal('{"a":{"prototype":1}}')).toMatchObject({ problems: [{ field: 'a.prototype' }] });
    expect(refusal('{"a":{"\\u005f_proto__":1}}')).toMatchObject({ problems: [{ field: 'a.__proto__' }] });
    expect(parse('{"protoType":1,"constructors":2}')).toEqual({ protoType: 1, constructors: 2 });
  });

  it('refuses numbers that only read as Infinity, keeps large finite ones for the DTOs to judge', () => {
    expect(refusal('{"amount":1e400}')).toMatchObject({ code: HttpErrorCode.ValidationFailed, problems: [{ field: 'amount', reason: 'number out of range' }] });
    expect(refusal('{"a":[1,-1e999]}')).toMatchObject({ problems: [{ field: 'a.1' }] });
    expect(parse('{"amount":1e308}')).toEqual({ amount: 1e308 });
  });
});
