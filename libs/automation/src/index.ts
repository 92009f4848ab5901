export * from './automation-part';
export * from './automation.tokens';
export * from './automation.module';
export { SlaQuery, type SlaFilter, type SlaReport, type OpenSla, type Percentiles } from './sla/sla.query';
