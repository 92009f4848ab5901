import { Inject, Injectable, OnModuleDestroy } from '@nestjs/common';
import { TeamNotFoundError } from '@lead-lifecycle/domain';
import type { AutomationContext } from '../automation-part';
import { AUTOMATION_CONTEXT } from '../automation.tokens';
import type { QueuedLead } from './routing-state.store';
import { RoutingStateStore } from './routing-state.store';
import { ROUTING_REACTION_NAME } from './routing.reaction';
import { TeamCommands } from './team-commands.service';

/** One member as `GET /v1/teams/:teamId` shows it. */
export interface TeamMemberView {
  readonly ownerId: string;
  readonly capacity: number | null;
  readonly weight: number;
  readonly available: boolean;
  readonly until: string | null;
  readonly openLeads: { readonly count: number; readonly leadIds: string[] | null };
}

export interface TeamView {
  readonly teamId: string;
  readonly name: string;
  readonly createdAt: string;
  readonly members: TeamMemberView[];
}

export interface QueueView {
  /** Events in the store the routing reaction has yet to handle: how far behind the log the queue may be. */
  readonly eventsBehind: number;
  readonly items: Array<{ leadId: string; reason: string; since: string; ruleId: string | null; teamId: string | null; ownerId: string | null }>;
}

/**
 * The routing reads. Membership comes from the team's stream (fresh after a command); open leads and the
 * queue come from the routing reaction's state file (as far as the reaction has come), opened on a
 * connection of its own, so this works beside a reaction running in the processor worker.
 */
@Injectable()
export class RoutingQueries implements OnModuleDestroy {
  private state?: RoutingStateStore;

  constructor(
    @Inject(AUTOMATION_CONTEXT) private readonly context: AutomationContext,
    private readonly teams: TeamCommands,
  ) {}

  /**
   * The team with each member's open leads. `visibleOwner`: for an owner-scoped caller (`rep`), lead
   * ids are shown only for its own entry (the counts for everyone).
   */
  async team(tenantId: string, teamId: string, visibleOwner?: string): Promise<TeamView> {
    const team = await this.teams.team(tenantId, teamId);
    if (team.status === 'none') throw new TeamNotFoundError(teamId);
    const state = this.store();
    return {
      teamId: team.teamId,
      name: team.name,
      createdAt: team.createdAt,
      members: team.members.map((m) => {
        const leadIds = state.openLeadsOf(tenantId, m.ownerId);
        const shown = visibleOwner === undefined || visibleOwner === m.ownerId;
        return {
          ownerId: m.ownerId,
          capacity: m.capacity ?? null,
          weight: m.weight,
          available: m.available,
          until: m.until ?? null,
          openLeads: { count: leadIds.length, leadIds: shown ? leadIds : null },
        };
      }),
    };
  }

  /** The tenant's leads waiting for routing, oldest first. */
  async queue(tenantId: string, limit: number): Promise<QueueView> {
    const state = this.store();
    const head = await this.context.store.headPosition();
    const done = state.checkpoints.load(ROUTING_REACTION_NAME)?.commit ?? -1n;
    const eventsBehind = head.commit > done ? Number(head.commit - done) : 0;
    return { eventsBehind, items: state.queue(tenantId, limit).map(queueItem) };
  }

  onModuleDestroy(): void {
    this.state?.close();
  }

  private store(): RoutingStateStore {
    this.state ??= RoutingStateStore.inDataDir(this.context.dataDir);
    return this.state;
  }
}

function queueItem(lead: QueuedLead) {
  return { leadId: lead.leadId, reason: lead.reason, since: lead.since, ruleId: lead.ruleId ?? null, teamId: lead.teamId ?? null, ownerId: lead.ownerId ?? null };
}
