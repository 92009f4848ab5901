import { Controller, Get, Query } from '@nestjs/common';
import { ApiTags } from '@nestjs/swagger';
import { SlaQuery } from '@lead-lifecycle/automation';
import { Requires } from '@lead-lifecycle/identity';
import { CommandContext } from '@lead-lifecycle/lifecycle';
import { ApiContextHeaders, ApiQueryOperation } from '../http/api-responses.decorator';
import { RequestContext } from '../http/request-context.decorator';
import { SlaQueryDto } from './sla.dto';
import { SlaReportResponse } from './sla.responses';

/** The response SLAs of the caller's tenant, from the SLA reaction's state (libs/automation/src/sla). */
@ApiTags('response SLAs')
@ApiContextHeaders()
@Controller('v1')
export class SlaController {
  constructor(private readonly sla: SlaQuery) {}

  @Get('sla')
  @Requires('sla:read')
  @ApiQueryOperation({
    summary: 'Open SLAs with their due times, breaches by policy and by owner, median and p90 time to first touch',
    description:
      'SLAs started in [from, to) of leads captured from `channel`, as the SLA reaction last recorded them (it follows the log; ' +
      'a breach is recorded by the sweeper at the due time, until then the SLA is open with `overdue: true`).',
    store: false,
    success: { status: 200, type: SlaReportResponse, description: 'the SLA report' },
  })
  report(@Query() q: SlaQueryDto, @RequestContext() ctx: CommandContext) {
    return this.sla.report(ctx.tenantId, { from: q.from, to: q.to, channel: q.channel });
  }
}
