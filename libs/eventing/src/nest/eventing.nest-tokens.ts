/** The ProcessorWorker of an EventingModule (null when its processors run on the module's own thread). */
export const PROCESSOR_WORKER = Symbol('PROCESSOR_WORKER');
