import type { EnrichmentAttributes, EnrichmentHook } from '@lead-lifecycle/domain';

/** Who answers the host's lookups, as LeadEnriched records it. */
export const FIRMOGRAPHICS_SOURCE = 'host-firmographics';

/**
 * The host's firmographic directory, by email domain: company-level facts only (the engine records them
 * unencrypted, like the lead's company). A stand-in for the host's own company database or a vendor's API.
 */
export const HOST_FIRMOGRAPHICS: ReadonlyMap<string, EnrichmentAttributes> = new Map<string, EnrichmentAttributes>([
  ['kube.example', { companyName: 'Kube Co', industry: 'cloud-native tooling', employees: 240, country: 'DE' }],
  ['shop.example', { companyName: 'Shop Ltd', industry: 'retail', employees: 35, country: 'GB', publiclyListed: false }],
]);

/**
 * The host's enrichment hook, passed as forRoot `enrichment.atCapture`: looks the lead's email domain up
 * in `directory`. Asynchronous like a real lookup; the engine awaits it once, when the capture creates the
 * lead, and records the answer as LeadEnriched, so a replay never asks the directory again. A domain it
 * does not know answers undefined (nothing recorded).
 */
export function firmographicsLookup(directory: ReadonlyMap<string, EnrichmentAttributes> = HOST_FIRMOGRAPHICS): EnrichmentHook {
  return async ({ emailDomain }, { signal }) => {
    // A real lookup would pass `signal` to its HTTP client; this one answers at once.
    await Promise.resolve();
    signal.throwIfAborted();
    const attributes = emailDomain === undefined ? undefined : directory.get(emailDomain);
    return attributes ? { source: FIRMOGRAPHICS_SOURCE, attributes: { ...attributes } } : undefined;
  };
}

/** The hook the host runs with (HostModuleOptions.enrichment replaces it, in the tests). */
export const hostEnrichment: EnrichmentHook = firmographicsLookup();
