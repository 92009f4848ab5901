import type { HostPrincipal } from '@lead-lifecycle/lifecycle';

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
 * engine has no HTTP API here and no credentials of its own: the host resolves its user into a
 * principal (tenant, roles, actor), checks the role itself, and the engine's `commandContextOf` turns
 * the principal into the CommandContext (tenant, actor) every command records.
 */
export class HostAuthenticator {
  constructor(private readonly users: ReadonlyMap<string, HostUser>) {}

  /** The principal of `token`, allowed to `need`, or a HostAuthError. */
  authenticate(token: string | undefined, need: HostRole): HostPrincipal & { readonly roles: readonly HostRole[] } {
    const user = token === undefined ? undefined : this.users.get(token);
    if (!user) throw new HostAuthError('unauthenticated', 'unknown or missing token');
    if (!user.roles.includes(need)) throw new HostAuthError('forbidden', `${user.id} may not act as ${need}`);
    return principalOf(user);
  }
}

/** The engine's principal of a host user: its workspace is the tenant, so one workspace never sees another's leads. */
export function principalOf(user: HostUser): HostPrincipal & { readonly roles: readonly HostRole[] } {
  return { tenantId: user.workspace, actor: `host-user:${user.id}`, actorName: user.name, roles: user.roles };
}
