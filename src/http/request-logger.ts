import type { FastifyBaseLogger } from "fastify";
import type { Bindings, ChildLoggerOptions } from "pino";

/**
 * Fastify gives every request a child logger carrying its id. Most requests log nothing through it (their
 * one access line is written by src/http/access-log.ts), and making a pino child costs more than routing
 * the request (its bindings are serialized and redacted when it is made): it is made on the first line.
 */
export function lazyRequestLogger(logger: FastifyBaseLogger, bindings: Bindings, opts: ChildLoggerOptions): FastifyBaseLogger {
  return new LazyChildLogger(logger, bindings, opts) as unknown as FastifyBaseLogger;
}

type Line = (this: FastifyBaseLogger, ...args: unknown[]) => void;

class LazyChildLogger {
  private made: FastifyBaseLogger | undefined;

  constructor(
    private readonly parent: FastifyBaseLogger,
    private readonly bindings: Bindings,
    private readonly opts: ChildLoggerOptions,
  ) {}

  private get logger(): FastifyBaseLogger {
    return (this.made ??= this.parent.child(this.bindings, this.opts));
  }

  get level(): string {
    return this.made?.level ?? this.opts.level ?? this.parent.level;
  }

  set level(level: string) {
    this.logger.level = level;
  }

  fatal(...args: unknown[]): void {
    (this.logger.fatal as Line).apply(this.logger, args);
  }

  error(...args: unknown[]): void {
    (this.logger.error as Line).apply(this.logger, args);
  }

  warn(...args: unknown[]): void {
    (this.logger.warn as Line).apply(this.logger, args);
  }

  info(...args: unknown[]): void {
    (this.logger.info as Line).apply(this.logger, args);
  }

  debug(...args: unknown[]): void {
    (this.logger.debug as Line).apply(this.logger, args);
  }

  trace(...args: unknown[]): void {
    (this.logger.trace as Line).apply(this.logger, args);
  }

  silent(...args: unknown[]): void {
    (this.logger.silent as Line).apply(this.logger, args);
  }

  child(bindings: Bindings, options?: ChildLoggerOptions): FastifyBaseLogger {
    return this.logger.child(bindings, options);
  }
}
