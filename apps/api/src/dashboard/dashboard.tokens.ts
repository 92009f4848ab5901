/** Injection token of the dashboard's {@link DashboardAssets}. */
export const DASHBOARD_ASSETS = Symbol('DASHBOARD_ASSETS');
