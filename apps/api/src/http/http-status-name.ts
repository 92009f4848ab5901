import { HttpStatus } from '@nestjs/common';
import { STATUS_CODES } from 'node:http';

/** Nest's status names by code: a numeric enum maps each value back to its name. Codes it lacks are absent. */
const NEST_STATUS_NAMES: Readonly<Partial<Record<number, string>>> = HttpStatus;

/** The `error` of an error answer: the status's name in upper snake case (`BAD_REQUEST`, `PAYLOAD_TOO_LARGE`). */
export function httpStatusName(status: number): string {
  const name = NEST_STATUS_NAMES[status] ?? STATUS_CODES[status];
  return name ? name.toUpperCase().replace(/[^A-Z0-9]+/g, '_').replace(/^_|_$/g, '') : `HTTP_${status}`;
}
