/** Who asked for a change and why: becomes the metadata of every event the change appends. */
export interface CommandContext {
  readonly tenantId: string;
  /** Who or what caused it: a user id, a service name, "reaction:…". */
  readonly actor: string;
  readonly correlationId: string;
  /** The id of the request or event that caused the change. */
  readonly causationId: string;
  /** The command's name, recorded for auditors. */
  readonly command?: string;
  /** A human-readable label of the actor (an API key's name), recorded beside it. */
  readonly actorName?: string;
  /** Whom the caller says it acted for (X-Actor): a claim of the actor, recorded as such, never as the actor. */
  readonly onBehalfOf?: string;
  /**
   * Set for an owner-scoped caller (role `rep`): the command may touch only leads this owner owns or that
   * nobody owns, and their opportunities; any other lead is answered as unknown. Not recorded.
   */
  readonly ownerScope?: OwnerScope;
}

/** The owner an owner-scoped caller acts as. */
export interface OwnerScope {
  readonly ownerId: string;
}
