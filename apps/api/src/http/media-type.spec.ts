import { parseMediaType } from './media-type';

describe('parseMediaType', () => {
  it('reads the essence in lower case and the parameters unquoted', () => {
    expect(parseMediaType('application/json')).toEqual({ essence: 'application/json', parameters: {} });
    expect(parseMediaType('Application/JSON ; Charset="UTF-8"')).toEqual({ essence: 'application/json', parameters: { charset: 'UTF-8' } });
    expect(parseMediaType('application/json;charset=utf-8;')).toEqual({ essence: 'application/json', parameters: { charset: 'utf-8' } });
    expect(parseMediaType('multipart/form-data; boundary="a;b\\"c"')).toEqual({ essence: 'multipart/form-data', parameters: { boundary: 'a;b"c' } });
  });

  it('is undefined for what is not a media type', () => {
    for (const value of ['', 'json', 'application/', '/json', 'application/json; charset', 'application/json; =x', 'application json', 'a/b; c="d']) {
      expect(parseMediaType(value)).toBeUndefined();
    }
  });
});
