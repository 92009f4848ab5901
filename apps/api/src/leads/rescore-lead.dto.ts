/**
 * Body of `POST /v1/leads/:id/rescore`: optional and empty (`{}`). The score is computed as of now (the
 * injected clock), so there is nothing to send; any field is refused as unknown.
 */
export class RescoreLeadDto {}
