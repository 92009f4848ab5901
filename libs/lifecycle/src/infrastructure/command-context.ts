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
}
