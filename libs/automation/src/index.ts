export * from './automation-part';
export * from './automation.tokens';
export * from './automation.module';
