import { Body, Controller, Get, Ip, Post } from '@nestjs/common';
import { ApiBearerAuth, ApiTags } from '@nestjs/swagger';
import { ApiAppsService } from './api-apps.service';
import { AuthUser } from './auth.types';
import { CurrentUser } from './current-user.decorator';
import { CreateAppDto } from './dto/auth.dto';

@ApiTags('apps')
@ApiBearerAuth()
@Controller('api/v1/apps')
export class AppsController {
  constructor(private readonly apps: ApiAppsService) {}

  /** Registers a Kite Connect-style app; the api_secret is shown only in this response. */
  @Post()
  create(@CurrentUser() user: AuthUser, @Body() body: CreateAppDto, @Ip() ip: string) {
    return this.apps.create(user.userId, body, ip);
  }

  @Get()
  list(@CurrentUser() user: AuthUser) {
    return this.apps.list(user.userId);
  }
}
