/** Where the client reports requests, retries and slow-downs. Lines never hold a token or a value. */
export interface HerokuLogger {
  debug(message: string): void;
  warn(message: string): void;
}

export const silentLogger: HerokuLogger = { debug: () => undefined, warn: () => undefined };
