export * from './kafka.config';
export * from './cloud-event.mapper';
export * from './kafka-relay.processor';
export * from './kafka-relay.module';
export * from './contracts/event-schemas';
