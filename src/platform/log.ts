/** The "PingOne" log channel. Every line goes through `redact`: no token or secret is ever written. */
import vscode = require('vscode');
import type { RequestLogEntry } from '../core/http';
import { redact } from '../core/redact';

export class Log implements vscode.Disposable {
  private created?: vscode.LogOutputChannel;

  /** Created on first use: most sessions never log, and creating a log channel costs activation time. */
  get channel(): vscode.LogOutputChannel {
    this.created ??= vscode.window.createOutputChannel('PingOne', { log: true });
    return this.created;
  }

  request(entry: RequestLogEntry): void {
    const outcome = entry.status !== undefined ? `${entry.status}` : `failed (${entry.error})`;
    this.channel.info(redact(`${entry.method} ${entry.url} → ${outcome} in ${entry.durationMs} ms`));
  }

  info(message: string): void {
    this.channel.info(redact(message));
  }

  error(message: string): void {
    this.channel.error(redact(message));
  }

  dispose(): void {
    this.created?.dispose();
  }
}
