export const PROJECTIONS_CONFIG = Symbol('PROJECTIONS_CONFIG');
/** The PostgreSQL server and lease settings of the read models (READ_MODELS=postgres). */
export const PROJECTIONS_FLEET = Symbol('PROJECTIONS_FLEET');
