import { Module } from '@nestjs/common';
import { TypeOrmModule } from '@nestjs/typeorm';
import { InstrumentsDumpController } from './instruments-dump.controller';
import { InstrumentsController } from './instruments.controller';
import { InstrumentsSeeder } from './instruments.seeder';
import { InstrumentsService } from './instruments.service';
import { InstrumentEntity } from './persistence/instrument.entity';
import { InstrumentsRepository } from './persistence/instruments.repository';

/**
 * The instrument master. Other modules get InstrumentsService and the types in index.ts;
 * the table, its entity and the seeding stay in here. A module that needs instruments at its
 * own bootstrap imports this one: Nest bootstraps imported modules first.
 */
@Module({
  imports: [TypeOrmModule.forFeature([InstrumentEntity])],
  controllers: [InstrumentsController, InstrumentsDumpController],
  providers: [InstrumentsRepository, InstrumentsService, InstrumentsSeeder],
  exports: [InstrumentsService],
})
export class InstrumentsModule {}
