// The API client of the dashboard: the person's credential from sessionStorage, sent as the API's own
// bearer header on every request, same origin. No token ever goes into a URL.

const KEY = 'leadLifecycle.credential';

/** An answer of the API other than 2xx, in the API's error shape. */
export class ApiError extends Error {
  constructor(status, body) {
    super((body && body.message) || `HTTP ${status}`);
    this.status = status;
    this.code = body && body.code;
  }
}

export const credential = {
  get: () => sessionStorage.getItem(KEY),
  set: (value) => sessionStorage.setItem(KEY, value),
  clear: () => sessionStorage.removeItem(KEY),
};

function headers() {
  const token = credential.get();
  return token ? { Authorization: `Bearer ${token}`, Accept: 'application/json' } : { Accept: 'application/json' };
}

/** GET a /v1 path with query parameters (empty ones left out); the parsed JSON, or an ApiError. */
export async function get(path, params = {}) {
  const query = new URLSearchParams();
  for (const [name, value] of Object.entries(params)) if (value !== undefined && value !== null && value !== '') query.set(name, String(value));
  const url = query.size ? `${path}?${query}` : path;
  const response = await fetch(url, { headers: headers() });
  const text = await response.text();
  let body;
  try {
    body = text ? JSON.parse(text) : undefined;
  } catch {
    body = undefined;
  }
  if (!response.ok) throw new ApiError(response.status, body);
  return body;
}

/**
 * Reads a server-sent-events stream with fetch(), so the Authorization header is sent (EventSource cannot
 * send headers). Calls onMessage(type, data) per message until the signal aborts; resolves when the
 * stream ends, rejects with an ApiError when the API refuses it.
 */
export async function stream(path, onMessage, signal) {
  const response = await fetch(path, { headers: { ...headers(), Accept: 'text/event-stream' }, signal });
  if (!response.ok) {
    let body;
    try {
      body = await response.json();
    } catch {
      body = undefined;
    }
    throw new ApiError(response.status, body);
  }
  const reader = response.body.pipeThrough(new TextDecoderStream()).getReader();
  let buffer = '';
  for (;;) {
    const { value, done } = await reader.read();
    if (done) return;
    buffer += value;
    let end;
    while ((end = buffer.indexOf('\n\n')) >= 0) {
      const block = buffer.slice(0, end);
      buffer = buffer.slice(end + 2);
      let type = 'message';
      const data = [];
      for (const line of block.split('\n')) {
        if (line.startsWith('event:')) type = line.slice(6).trim();
        else if (line.startsWith('data:')) data.push(line.slice(5).replace(/^ /, ''));
      }
      if (data.length) onMessage(type, JSON.parse(data.join('\n')));
    }
  }
}
