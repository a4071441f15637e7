import { Body, Controller, Delete, Get, HttpCode, Param, Patch, Post } from '@nestjs/common';
import { ApiBearerAuth, ApiTags } from '@nestjs/swagger';
import { AuthUser } from '../../auth/auth.types';
import { CurrentUser } from '../../auth/current-user.decorator';
import { AddWatchlistInstrumentDto, CreateWatchlistDto, UpdateWatchlistDto, WatchlistIdDto, WatchlistInstrumentParamDto } from './watchlist.dto';
import { WatchlistsService } from './watchlists.service';

/** The caller's watchlists. Another user's watchlist does not exist as far as this API says (404). */
@ApiTags('watchlists')
@ApiBearerAuth()
@Controller('api/v1/watchlists')
export class WatchlistsController {
  constructor(private readonly watchlists: WatchlistsService) {}

  @Get()
  list(@CurrentUser() user: AuthUser) {
    return this.watchlists.list(user.userId);
  }

  @Post()
  create(@CurrentUser() user: AuthUser, @Body() body: CreateWatchlistDto) {
    return this.watchlists.create(user.userId, body.name, body.instruments);
  }

  @Get(':id')
  get(@CurrentUser() user: AuthUser, @Param() { id }: WatchlistIdDto) {
    return this.watchlists.get(user.userId, id);
  }

  @Patch(':id')
  update(@CurrentUser() user: AuthUser, @Param() { id }: WatchlistIdDto, @Body() body: UpdateWatchlistDto) {
    return this.watchlists.update(user.userId, id, body);
  }

  @Delete(':id')
  @HttpCode(200)
  async delete(@CurrentUser() user: AuthUser, @Param() { id }: WatchlistIdDto) {
    await this.watchlists.delete(user.userId, id);
    return { deleted: true };
  }

  @Post(':id/instruments')
  @HttpCode(200)
  add(@CurrentUser() user: AuthUser, @Param() { id }: WatchlistIdDto, @Body() body: AddWatchlistInstrumentDto) {
    return this.watchlists.add(user.userId, id, body.instrument);
  }

  @Delete(':id/instruments/:instrument')
  @HttpCode(200)
  remove(@CurrentUser() user: AuthUser, @Param() { id, instrument }: WatchlistInstrumentParamDto) {
    return this.watchlists.remove(user.userId, id, instrument);
  }
}
