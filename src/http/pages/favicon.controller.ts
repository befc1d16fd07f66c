import { Controller, Get, HttpCode } from '@nestjs/common';
import { ApiExcludeController } from '@nestjs/swagger';

/**
 * Browsers ask for /favicon.ico beside every page they show, the status page every time it refreshes: an empty
 * answer, kept out of the request log, rather than a 404 logged for each. The vault has no icon to show.
 */
@Controller()
@ApiExcludeController()
export class FaviconController {
  @Get('favicon.ico')
  @HttpCode(204)
  favicon(): void {}
}
