import { InvalidCommandError } from '@lead-lifecycle/domain';
import type { Principal, RequestHeaders } from './principal';

/** Who an event says caused it: the authenticated principal, and whom it says it acted for. */
export interface AuditIdentity {
  /** Always the authenticated principal (`apikey:<keyId>`, `jwt:<iss>#<sub>`, …). */
  readonly actor: string;
  readonly actorName?: string;
  /** The caller-supplied X-Actor: recorded as a claim of the principal, never as the actor. */
  readonly onBehalfOf?: string;
}

const HEADER_VALUE = /^[\x21-\x7e][\x20-\x7e]{0,199}$/;

/** The audit identity of a request; an X-Actor that is not printable text of at most 200 characters is a 400. */
export function auditIdentity(principal: Principal, headers: RequestHeaders): AuditIdentity {
  const claimed = headers['x-actor'];
  if (claimed !== undefined && (typeof claimed !== 'string' || !HEADER_VALUE.test(claimed))) {
    throw new InvalidCommandError([{ field: 'X-Actor', reason: 'printable text, at most 200 characters' }]);
  }
  return {
    actor: principal.actor,
    ...(principal.actorName !== undefined ? { actorName: principal.actorName } : {}),
    ...(claimed ? { onBehalfOf: claimed } : {}),
  };
}
