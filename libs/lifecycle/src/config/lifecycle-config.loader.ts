import { readFileSync } from 'node:fs';
import { Type } from 'class-transformer';
import {
  ArrayMinSize,
  ArrayUnique,
  IsArray,
  IsIn,
  IsInt,
  IsNumber,
  IsObject,
  IsOptional,
  IsPositive,
  IsString,
  Matches,
  Max,
  Min,
  Validate,
  ValidateNested,
  ValidatorConstraint,
  ValidatorConstraintInterface,
} from 'class-validator';
import { BANT_CRITERIA, DEFAULT_LIFECYCLE_CONFIG, LifecycleConfig, maxMinorUnits } from '@lead-lifecycle/domain';
import { ConfigurationError, validateConfig } from './validate-config';

@ValidatorConstraint({ name: 'regex' })
class IsRegex implements ValidatorConstraintInterface {
  validate(value: unknown) {
    try {
      new RegExp(String(value), 'i');
      return typeof value === 'string';
    } catch {
      return false;
    }
  }
  defaultMessage() {
    return 'must be a valid regular expression';
  }
}

@ValidatorConstraint({ name: 'numberMap' })
class IsNumberMap implements ValidatorConstraintInterface {
  validate(value: unknown) {
    return !!value && typeof value === 'object' && Object.values(value).every((v) => typeof v === 'number' && Number.isFinite(v));
  }
  defaultMessage() {
    return 'must map names to numbers';
  }
}

class PatternRuleConfig {
  @Validate(IsRegex) pattern: string;
  @IsNumber() points: number;
  @IsOptional() @IsString() label?: string;
}

class RangeRuleConfig {
  @IsOptional() @IsNumber() min?: number;
  @IsOptional() @IsNumber() max?: number;
  @IsNumber() points: number;
}

class FitRulesConfig {
  @IsArray() @ValidateNested({ each: true }) @Type(() => PatternRuleConfig) jobTitle: PatternRuleConfig[];
  @IsArray() @ValidateNested({ each: true }) @Type(() => RangeRuleConfig) companySize: RangeRuleConfig[];
  @Validate(IsNumberMap) industry: Record<string, number>;
  @Validate(IsNumberMap) country: Record<string, number>;
  @IsArray() @IsString({ each: true }) competitorDomains: string[];
  @IsNumber() competitorPoints: number;
  @IsArray() @IsString({ each: true }) freeEmailDomains: string[];
  @IsNumber() freeEmailPoints: number;
}

class EngagementRulesConfig {
  @IsPositive() halfLifeDays: number;
  @IsObject() @Validate(IsNumberMap) activities: Record<string, number>;
}

class TemperatureConfig {
  @IsNumber() warm: number;
  @IsNumber() hot: number;
}

class ScoringConfig {
  @ValidateNested() @Type(() => FitRulesConfig) fit: FitRulesConfig;
  @ValidateNested() @Type(() => EngagementRulesConfig) engagement: EngagementRulesConfig;
  @IsNumber() mqlThreshold: number;
  @ValidateNested() @Type(() => TemperatureConfig) temperature: TemperatureConfig;
}

class BantRuleConfig {
  @IsInt() @Min(0) @Max(4) minMet: number;
  @IsOptional() @IsArray() @IsIn(BANT_CRITERIA, { each: true }) mustMeet?: (typeof BANT_CRITERIA)[number][];
}

class BantConfig {
  @IsArray() @ArrayMinSize(1) @ValidateNested({ each: true }) @Type(() => BantRuleConfig) rules: BantRuleConfig[];
}

class PipelineConfig {
  @IsArray() @ArrayMinSize(1) @ArrayUnique() @IsString({ each: true }) @Matches(/^[a-z][a-z0-9_]*$/, { each: true }) stages: string[];
}

class PhoneConfig {
  @Matches(/^\d{1,3}$/) defaultCountryCode: string;
}

class TimeConfig {
  @IsInt() @Min(0) @Max(86_400) maxFutureSkewSeconds: number;
  @IsInt() @Min(1) @Max(3_652_500) maxBackdateDays: number;
}

/** Amounts beyond this would not be exact integers of minor units in the currency with the most decimals. */
const MONEY_CEILING = Math.floor(Number.MAX_SAFE_INTEGER / 10 ** maxMinorUnits());

class MoneyConfig {
  @IsNumber({ allowNaN: false, allowInfinity: false })
  @IsPositive()
  @Max(MONEY_CEILING, { message: `maxAmount must be at most ${MONEY_CEILING}, so that every amount is an exact number of minor units` })
  maxAmount: number;
}

/** The lifecycle rules file, validated at start-up. */
export class LifecycleConfigFile {
  @ValidateNested() @Type(() => ScoringConfig) scoring: ScoringConfig;
  @ValidateNested() @Type(() => BantConfig) bant: BantConfig;
  @ValidateNested() @Type(() => PipelineConfig) pipeline: PipelineConfig;
  @ValidateNested() @Type(() => PhoneConfig) phone: PhoneConfig;
  @ValidateNested() @Type(() => TimeConfig) time: TimeConfig;
  @ValidateNested() @Type(() => MoneyConfig) money: MoneyConfig;
}

/**
 * Reads the lifecycle rules: the built-in defaults, overridden by the JSON file at `path` if given.
 * Objects merge key by key; arrays and values replace. Throws one message per wrong setting.
 */
export function loadLifecycleConfig(path?: string): LifecycleConfig {
  let overrides: Record<string, unknown> = {};
  if (path) {
    try {
      overrides = JSON.parse(readFileSync(path, 'utf8')) as Record<string, unknown>;
    } catch (error) {
      throw new ConfigurationError('lifecycle', [`LIFECYCLE_CONFIG: cannot read ${path}: ${(error as Error).message}`]);
    }
  }
  // A spread copy is a plain record: deepMerge copies its base anyway.
  const merged = deepMerge({ ...DEFAULT_LIFECYCLE_CONFIG }, overrides);
  validateConfig('lifecycle', LifecycleConfigFile, merged);
  const config = merged as unknown as LifecycleConfig;
  const problems: string[] = [];
  if (config.scoring.temperature.warm >= config.scoring.temperature.hot) {
    problems.push('scoring.temperature: warm must be below hot');
  }
  if (Object.keys(config.scoring.engagement.activities).length === 0) {
    problems.push('scoring.engagement.activities: at least one activity type is required');
  }
  if (problems.length) throw new ConfigurationError('lifecycle', problems);
  return config;
}

function deepMerge(base: Record<string, unknown>, override: Record<string, unknown>): Record<string, unknown> {
  const out: Record<string, unknown> = { ...base };
  for (const [key, value] of Object.entries(override)) {
    const current = base[key];
    const bothObjects = isPlainObject(current) && isPlainObject(value);
    out[key] = bothObjects ? deepMerge(current as Record<string, unknown>, value as Record<string, unknown>) : value;
  }
  return out;
}

const isPlainObject = (v: unknown) => !!v && typeof v === 'object' && !Array.isArray(v);
