/** Channels a lead can be captured from. Part of the public contract. */
export const CHANNELS = ['web_form', 'trade_show', 'social', 'seo', 'paid_ads', 'referral', 'email', 'partner', 'import', 'other'] as const;
export type Channel = (typeof CHANNELS)[number];
