import { ApiProperty } from '@nestjs/swagger';
import { CONSISTENCY_TOKEN_PATTERN } from './consistency-token';

/** Pattern of a global position as the API writes it: the commit position, or `commit/prepare` when they differ. */
export const POSITION_PATTERN = '^\\d+(/\\d+)?$';

/** The part of every command answer that says where its events landed (see `writeReceipt`). */
export class CommandReceiptResponse {
  @ApiProperty({
    type: 'integer',
    nullable: true,
    minimum: 0,
    example: 3,
    description: "the stream's revision after the command; null when the stream still has no event",
  })
  revision: number | null;

  @ApiProperty({
    type: 'string',
    nullable: true,
    pattern: CONSISTENCY_TOKEN_PATTERN,
    example: 'ct1.q3J0vW9sYl2kR8dTnX5aBc7eFgHiJk',
    description:
      'an opaque consistency token for the last event the request caused (sealed, bound to the tenant: it reveals no global position); ' +
      'pass it as `minPosition` to read your own writes. Null when nothing was written',
  })
  position: string | null;

  @ApiProperty({
    type: [String],
    example: ['EngagementRecorded', 'ScoreChanged'],
    description: 'types of the events the command appended, in order; empty when it changed nothing',
  })
  events: string[];
}
