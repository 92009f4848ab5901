import { randomUUID } from 'node:crypto';
import { DomainError, DomainErrorCode, type FieldProblem } from '@lead-lifecycle/domain';
import type { CommandContext } from './command-context';

/**
 * The caller as a host's own authentication establishes it, for the engine's in-process services: the
 * part of identity's `Principal` (what a `PrincipalResolver` answers) that a command records. A
 * `Principal` is one (host-principal.spec checks that it stays assignable), so a host that resolves
 * principals for the HTTP API hands the same object to {@link commandContextOf}. The roles are the host's
 * to enforce before it calls the buses: the buses themselves do not authorize.
 */
export interface HostPrincipal {
  /** The one tenant the caller acts in; the same rule as identity's TENANT_ID_PATTERN. */
  readonly tenantId: string;
  /** Stable, audit-grade identity, recorded on every event (`host-user:<id>`, the host's own scheme). */
  readonly actor: string;
  /** Human-readable label recorded beside the actor. */
  readonly actorName?: string;
  readonly roles?: readonly string[];
}

/** The request's ids; a new one for each left out. */
export interface RequestIds {
  readonly correlationId?: string;
  readonly causationId?: string;
}

const TENANT_ID = /^[A-Za-z0-9][A-Za-z0-9_.-]{0,63}$/;
const PRINTABLE = /^[\x21-\x7e][\x20-\x7e]{0,199}$/;

/**
 * The CommandContext of a command `principal` asked for: tenant and actor from the host's credential,
 * never from the command's input. A principal without a valid tenant id or a printable actor is refused
 * (DomainError INVALID_COMMAND, nothing written), as identity's ResolverAuthenticator refuses it.
 */
export function commandContextOf(principal: HostPrincipal, command: string, ids: RequestIds = {}): CommandContext {
  const problems: FieldProblem[] = [];
  if (typeof principal?.tenantId !== 'string' || !TENANT_ID.test(principal.tenantId)) problems.push({ field: 'principal.tenantId', reason: 'must match TENANT_ID_PATTERN' });
  if (typeof principal?.actor !== 'string' || !PRINTABLE.test(principal.actor)) problems.push({ field: 'principal.actor', reason: 'printable text, 1 to 200 characters' });
  if (principal?.actorName !== undefined && (typeof principal.actorName !== 'string' || !PRINTABLE.test(principal.actorName))) {
    problems.push({ field: 'principal.actorName', reason: 'printable text, 1 to 200 characters' });
  }
  if (problems.length) throw new DomainError(DomainErrorCode.InvalidCommand, 'the host principal cannot act', { problems });
  const correlationId = ids.correlationId ?? randomUUID();
  return {
    tenantId: principal.tenantId,
    actor: principal.actor,
    ...(principal.actorName !== undefined ? { actorName: principal.actorName } : {}),
    correlationId,
    causationId: ids.causationId ?? correlationId,
    command,
  };
}
