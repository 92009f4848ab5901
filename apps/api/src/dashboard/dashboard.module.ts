import { type DynamicModule, Module } from '@nestjs/common';
import { DashboardAssets } from './dashboard-assets';
import { DashboardAssetsController } from './dashboard-assets.controller';
import { DASHBOARD_ASSETS } from './dashboard.tokens';
import { LiveEventsController } from './live-events.controller';

@Module({})
export class DashboardModule {
  /**
   * The web dashboard at /dashboard: its static front end (public) and the live event stream it reads
   * with the person's credential, from the event store of the application's one eventing module.
   */
  static forRoot(options: { readonly eventing: DynamicModule }): DynamicModule {
    return {
      module: DashboardModule,
      imports: [options.eventing],
      controllers: [DashboardAssetsController, LiveEventsController],
      providers: [{ provide: DASHBOARD_ASSETS, useFactory: () => DashboardAssets.load() }],
    };
  }
}
