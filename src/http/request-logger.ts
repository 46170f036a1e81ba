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

  // pino's level methods, each on the logger made at its first line.
  fatal(...args: unknown[]): void {
    this.line("fatal", args);
  }
  error(...args: unknown[]): void {
    this.line("error", args);
  }
  warn(...args: unknown[]): void {
    this.line("warn", args);
  }
  info(...args: unknown[]): void {
    this.line("info", args);
  }
  debug(...args: unknown[]): void {
    this.line("debug", args);
  }
  trace(...args: unknown[]): void {
    this.line("trace", args);
  }
  silent(...args: unknown[]): void {
    this.line("silent", args);
  }

  private line(level: "fatal" | "error" | "warn" | "info" | "debug" | "trace" | "silent", args: unknown[]): void {
    const logger = this.logger;
    (logger[level] as Line).apply(logger, args);
  }

  child(bindings: Bindings, options?: ChildLoggerOptions): FastifyBaseLogger {
    return this.logger.child(bindings, options);
  }
}
