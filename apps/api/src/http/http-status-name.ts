import { HttpStatus } from '@nestjs/common';
import { STATUS_CODES } from 'node:http';

/** The `error` of an error answer: the status's name in upper snake case (`BAD_REQUEST`, `PAYLOAD_TOO_LARGE`). */
export function httpStatusName(status: number): string {
  const name = (HttpStatus as unknown as Record<number, string | undefined>)[status] ?? STATUS_CODES[status];
  return name ? name.toUpperCase().replace(/[^A-Z0-9]+/g, '_').replace(/^_|_$/g, '') : `HTTP_${status}`;
}
