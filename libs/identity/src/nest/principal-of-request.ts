import type { Principal } from '../principal';

const PRINCIPAL = Symbol('lead-lifecycle:principal');

type Carrier = { [PRINCIPAL]?: Principal };

/** Records the authenticated principal on the request (done by the AuthGuard only). */
export function setPrincipal(request: object, principal: Principal): void {
  (request as Carrier)[PRINCIPAL] = principal;
}

/** The principal the AuthGuard established; undefined on a public route called without a credential. */
export function principalOf(request: object): Principal | undefined {
  return (request as Carrier)[PRINCIPAL];
}
