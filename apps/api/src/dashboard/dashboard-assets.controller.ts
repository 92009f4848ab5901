import { Controller, Get, Header, Inject, NotFoundException, Param, StreamableFile } from '@nestjs/common';
import { ApiExcludeController } from '@nestjs/swagger';
import { Public } from '@lead-lifecycle/identity';
import { DASHBOARD_ASSETS } from './dashboard.tokens';
import type { DashboardAssets } from './dashboard-assets';

/**
 * The dashboard's static front end: public like /health and /docs, since it holds no data; every number
 * it shows comes from the /v1 API with the credential the person signs in with. Not an API operation,
 * so it is left out of the OpenAPI document.
 */
@ApiExcludeController()
@Controller('dashboard')
export class DashboardAssetsController {
  constructor(@Inject(DASHBOARD_ASSETS) private readonly assets: DashboardAssets) {}

  @Get()
  @Public()
  @Header('Cache-Control', 'no-cache')
  index(): StreamableFile {
    return this.file('index.html');
  }

  @Get(':file')
  @Public()
  @Header('Cache-Control', 'no-cache')
  topLevel(@Param('file') file: string): StreamableFile {
    return this.file(file);
  }

  @Get(':folder/:file')
  @Public()
  @Header('Cache-Control', 'no-cache')
  nested(@Param('folder') folder: string, @Param('file') file: string): StreamableFile {
    return this.file(`${folder}/${file}`);
  }

  private file(path: string): StreamableFile {
    const asset = this.assets.get(path);
    if (!asset) throw new NotFoundException({ code: 'ROUTE_NOT_FOUND', message: `no dashboard file ${path}` });
    return new StreamableFile(asset.body, { type: asset.type, length: asset.body.length });
  }
}
