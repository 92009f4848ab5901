import { randomUUID } from 'node:crypto';
import type { CommandContext } from '@lead-lifecycle/lifecycle';

/** What this host lets a user do; the engine never sees these roles, only the context made from them. */
export type HostRole = 'sales' | 'viewer';

/** A user of the host application, as its own sign-in knows them. */
export interface HostUser {
  readonly id: string;
  readonly name: string;
  /** The host's workspace: becomes the engine's tenant, so one workspace never sees another's leads. */
  readonly workspace: string;
  readonly roles: readonly HostRole[];
}

/** Thrown for a missing or unknown token, or a user without the role an operation needs. */
export class HostAuthError extends Error {
  constructor(
    readonly reason: 'unauthenticated' | 'forbidden',
    message: string,
  ) {
    super(message);
    this.name = 'HostAuthError';
  }
}

/**
 * The host's own authentication: a token table, as a stand-in for whatever sign-in the host has. The
 * engine has no HTTP API here and no credentials of its own: the host turns its user into the
 * CommandContext (tenant, actor) every command records.
 */
export class HostAuthenticator {
  constructor(private readonly users: ReadonlyMap<string, HostUser>) {}

  /** The user of `token`, allowed to `need`, or a HostAuthError. */
  authenticate(token: string | undefined, need: HostRole): HostUser {
    const user = token === undefined ? undefined : this.users.get(token);
    if (!user) throw new HostAuthError('unauthenticated', 'unknown or missing token');
    if (!user.roles.includes(need)) throw new HostAuthError('forbidden', `${user.id} may not act as ${need}`);
    return user;
  }
}

/** The engine's command context for a change `user` asked for: tenant and actor come from the host's credential, never from input. */
export function commandContextOf(user: HostUser, command: string, requestId: string = randomUUID()): CommandContext {
  return {
    tenantId: user.workspace,
    actor: `host-user:${user.id}`,
    actorName: user.name,
    correlationId: requestId,
    causationId: requestId,
    command,
  };
}
