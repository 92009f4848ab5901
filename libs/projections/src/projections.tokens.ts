export const PROJECTIONS_CONFIG = Symbol('PROJECTIONS_CONFIG');
/** The PostgreSQL server and lease settings of the read models (READ_MODELS=postgres). */
export const PROJECTIONS_FLEET = Symbol('PROJECTIONS_FLEET');
/** The projections' options, as given to forRoot or made by forRootAsync's factory (config and postgres resolved). */
export const PROJECTIONS_MODULE_OPTIONS = Symbol('PROJECTIONS_MODULE_OPTIONS');
