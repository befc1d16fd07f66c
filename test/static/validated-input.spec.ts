import 'reflect-metadata';
import { Body, Controller, Param, PipeTransform, Post, Query, ValidationPipe } from '@nestjs/common';
import { ROUTE_ARGS_METADATA } from '@nestjs/common/constants';
import { RouteParamtypes } from '@nestjs/common/enums/route-paramtypes.enum';
import { getMetadataStorage, IsString } from 'class-validator';
import { readdirSync } from 'node:fs';
import { join } from 'node:path';
import { ValidatedBody, ValidatedQuery } from '../../src/errors/validation.pipe';

const SRC = join(__dirname, '..', '..', 'src');

/** Where a route takes input a DTO can describe. */
const INPUTS = new Set<number>([RouteParamtypes.BODY, RouteParamtypes.QUERY, RouteParamtypes.PARAM]);

interface RouteArg {
  index: number;
  data?: unknown;
  pipes: Array<PipeTransform | (new (...args: never[]) => PipeTransform)>;
}

/** A class that class-validator has rules for: a DTO. */
function isDto(type: unknown): type is new () => object {
  return typeof type === 'function' && getMetadataStorage().getTargetValidationMetadatas(type, '', true, false).length > 0;
}

/**
 * The parameters of a controller's routes that take a DTO, each with whether it has the validation pipe.
 * The vault binds that pipe on the parameters that take a DTO (errors/validation.pipe.ts), not for the whole app,
 * so a DTO taken with a bare `@Body()` would reach its handler unchecked.
 */
function dtoInputs(controller: new (...args: never[]) => unknown): Array<{ name: string; validated: boolean }> {
  const found: Array<{ name: string; validated: boolean }> = [];
  const proto = controller.prototype as Record<string, unknown>;
  for (const method of Object.getOwnPropertyNames(proto)) {
    const args = (Reflect.getMetadata(ROUTE_ARGS_METADATA, controller, method) ?? {}) as Record<string, RouteArg>;
    const types = (Reflect.getMetadata('design:paramtypes', proto, method) ?? []) as unknown[];
    for (const [key, arg] of Object.entries(args)) {
      const paramtype = Number(key.split(':')[0]);
      if (!INPUTS.has(paramtype) || !isDto(types[arg.index])) continue;
      found.push({ name: `${controller.name}.${method}(#${arg.index})`, validated: arg.pipes.some((pipe) => pipe instanceof ValidationPipe) });
    }
  }
  return found.sort((a, b) => a.name.localeCompare(b.name));
}

/** The parameters of a controller's routes that take a DTO without the validation pipe, as `Class.method(#index)`. */
const unvalidatedInputs = (controller: new (...args: never[]) => unknown): string[] =>
  dtoInputs(controller)
    .filter((input) => !input.validated)
    .map((input) => input.name);

function controllerFiles(dir: string): string[] {
  return readdirSync(dir, { withFileTypes: true }).flatMap((entry) => {
    const path = join(dir, entry.name);
    if (entry.isDirectory()) return controllerFiles(path);
    return entry.name.endsWith('.controller.ts') ? [path] : [];
  });
}

function controllersIn(file: string): Array<new (...args: never[]) => unknown> {
  // eslint-disable-next-line @typescript-eslint/no-require-imports
  const exported = Object.values(require(file) as Record<string, unknown>);
  return exported.filter((value): value is new (...args: never[]) => unknown => typeof value === 'function' && Reflect.getMetadata('__controller__', value) === true);
}

class NoteDto {
  @IsString()
  note!: string;
}

@Controller('fixture')
class FixtureController {
  @Post('bare')
  bare(@Body() _body: NoteDto, @Query() _query: NoteDto, @Param('id') _id: string): void {}

  @Post('validated')
  validated(@ValidatedBody() _body: NoteDto, @ValidatedQuery() _query: NoteDto): void {}
}

describe('validated input', () => {
  it('finds a DTO taken without the validation pipe, and passes one taken with it', () => {
    expect(unvalidatedInputs(FixtureController)).toEqual(['FixtureController.bare(#0)', 'FixtureController.bare(#1)']);
  });

  it('every route of the vault that takes a DTO validates it', () => {
    const controllers = controllerFiles(SRC).flatMap(controllersIn);
    // The import and the audit query take the API's two DTOs: a scan that did not see them as DTOs would prove nothing.
    expect(controllers.flatMap(dtoInputs).map((input) => input.name)).toEqual(expect.arrayContaining(['AuditController.list(#0)', 'TokensController.import(#0)']));
    expect(controllers.flatMap(unvalidatedInputs)).toEqual([]);
  });
});
